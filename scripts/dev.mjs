#!/usr/bin/env node
// `npm start` / `pnpm dev`: the demo. Until the edge API exists it is the scoring demo.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync('pnpm', ['--filter', '@cxm/scoring', 'demo'], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
