// Size budgets for the built files (run after `pnpm build`, which the suite's `prepare` does):
// core at most 2.5 KB min+gzip (Plausible's full-featured script is 2.69 KB), core plus the
// FingerprintJS chunk at most 20 KB.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
const CORE_BUDGET = 2500;
const TOTAL_BUDGET = 20000;

interface Manifest {
  entry: string;
  files: Record<string, string>;
}

function measure(file: string) {
  const code = readFileSync(join(dist, file));
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

describe('bundle size', () => {
  it('has a build to measure', () => {
    expect(existsSync(join(dist, 'manifest.json')), 'run `pnpm --filter @cxm/tracker build`').toBe(
      true,
    );
  });

  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as Manifest;
  const chunk = Object.keys(manifest.files).find((f) => f.startsWith('t/fp.'))!;
  const core = measure(manifest.entry);
  const fingerprint = measure(chunk);
  const total = { min: core.min + fingerprint.min, gzip: core.gzip + fingerprint.gzip };
  process.stdout.write(
    [
      '',
      'tracker sizes (bytes)          min   min+gzip -9',
      `  core       ${manifest.entry.padEnd(20)}${String(core.min).padStart(6)} ${String(core.gzip).padStart(10)}  (budget ${CORE_BUDGET})`,
      `  fingerprint ${chunk.padEnd(19)}${String(fingerprint.min).padStart(6)} ${String(fingerprint.gzip).padStart(10)}`,
      `  total                          ${String(total.min).padStart(6)} ${String(total.gzip).padStart(10)}  (budget ${TOTAL_BUDGET})`,
      '',
    ].join('\n'),
  );

  it(`keeps the core (everything but FingerprintJS) within ${CORE_BUDGET} bytes min+gzip`, () => {
    expect(core.gzip).toBeLessThanOrEqual(CORE_BUDGET);
  });

  it(`keeps core plus the fingerprint chunk within ${TOTAL_BUDGET} bytes min+gzip`, () => {
    expect(total.gzip).toBeLessThanOrEqual(TOTAL_BUDGET);
  });

  it('loads the fingerprint chunk by its hashed name, and the core holds no FingerprintJS', () => {
    const coreCode = readFileSync(join(dist, manifest.entry), 'utf8');
    expect(coreCode).toContain(chunk);
    expect(coreCode).not.toMatch(/murmurX64Hash128|fingerprintjs/i);
    expect(manifest.files[chunk]).toContain('immutable');
  });

  it('uses no eval or Function constructor, so a strict CSP without unsafe-eval works', () => {
    for (const file of [manifest.entry, chunk]) {
      expect(readFileSync(join(dist, file), 'utf8')).not.toMatch(/\beval\(|new Function\(/);
    }
  });
});
