#!/usr/bin/env node
// The worker serves the tracker's build (packages/tracker/dist) as static assets, and
// `wrangler dev` and the worker tests refuse to start without it. This builds it when it is
// missing (a fresh clone); run directly, or imported by vitest.config.ts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const tracker = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tracker');

export function ensureTrackerDist() {
  if (existsSync(join(tracker, 'dist', 'manifest.json'))) return;
  process.stdout.write('edge-api: building the tracker (packages/tracker/dist is missing)\n');
  const result = spawnSync('pnpm', ['build'], { cwd: tracker, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('edge-api: `pnpm --filter @cxm/tracker build` failed');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureTrackerDist();
}
