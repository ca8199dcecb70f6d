// Size budgets for the built files (run after `pnpm build`, which the suite's `prepare` does); the
// budgets and the measurement live in ../size.mjs, shared with the build and the benchmark.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGETS, builtSizes } from '../size.mjs';

const dist = join(import.meta.dirname, '..', 'dist');
const CORE_BUDGET = BUDGETS.core;
const TOTAL_BUDGET = BUDGETS.total;

describe('bundle size', () => {
  it('has a build to measure', () => {
    expect(existsSync(join(dist, 'manifest.json')), 'run `pnpm --filter @cxm/tracker build`').toBe(
      true,
    );
  });

  const { entry, chunk, files, core, fingerprint, total } = builtSizes(dist);
  process.stdout.write(
    [
      '',
      'tracker sizes (bytes)          min   min+gzip -9',
      `  core       ${entry.padEnd(20)}${String(core.min).padStart(6)} ${String(core.gzip).padStart(10)}  (budget ${CORE_BUDGET})`,
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
    const coreCode = readFileSync(join(dist, entry), 'utf8');
    expect(coreCode).toContain(chunk);
    expect(coreCode).not.toMatch(/murmurX64Hash128|fingerprintjs/i);
    expect(files[chunk]).toContain('immutable');
  });

  it('uses no eval or Function constructor, so a strict CSP without unsafe-eval works', () => {
    for (const file of [entry, chunk]) {
      expect(readFileSync(join(dist, file), 'utf8')).not.toMatch(/\beval\(|new Function\(/);
    }
  });
});
