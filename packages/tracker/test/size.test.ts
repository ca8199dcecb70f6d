// Size budgets for the built files (run after `pnpm build`, which the suite's `prepare` does); the
// budgets and the measurement live in ../size.mjs, shared with the build and the benchmark.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGETS, type BuiltSizes, builtSizes } from '../size.mjs';

const dist = join(import.meta.dirname, '..', 'dist');
const CORE_BUDGET = BUDGETS.core;
const TOTAL_BUDGET = BUDGETS.total;
const BUILD = 'run `pnpm --filter @cxm/tracker build`';

/**
 * The build's sizes, or why there are none. Measured here without throwing, so that a missing or
 * broken build fails the tests below with this reason instead of failing the file's collection.
 */
function measure(): { sizes: BuiltSizes } | { problem: string } {
  if (!existsSync(join(dist, 'manifest.json')))
    return { problem: `no ${dist}/manifest.json: ${BUILD}` };
  try {
    return { sizes: builtSizes(dist) };
  } catch (error) {
    return { problem: `the build in ${dist} cannot be measured (${String(error)}): ${BUILD}` };
  }
}

const measured = measure();

/** The sizes, for tests that need them (they fail with the build's problem when there are none). */
function built(): BuiltSizes {
  if ('problem' in measured) throw new Error(measured.problem);
  return measured.sizes;
}

if ('sizes' in measured) {
  const { entry, chunk, core, fingerprint, total } = measured.sizes;
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
}

describe('bundle size', () => {
  it('has a build to measure', () => {
    expect(existsSync(join(dist, 'manifest.json')), BUILD).toBe(true);
    expect('problem' in measured ? measured.problem : null).toBeNull();
  });

  it(`keeps the core (everything but FingerprintJS) within ${CORE_BUDGET} bytes min+gzip`, () => {
    expect(built().core.gzip).toBeLessThanOrEqual(CORE_BUDGET);
  });

  it(`keeps core plus the fingerprint chunk within ${TOTAL_BUDGET} bytes min+gzip`, () => {
    expect(built().total.gzip).toBeLessThanOrEqual(TOTAL_BUDGET);
  });

  it('loads the fingerprint chunk by its hashed name, and the core holds no FingerprintJS', () => {
    const { entry, chunk, files } = built();
    const coreCode = readFileSync(join(dist, entry), 'utf8');
    expect(coreCode).toContain(chunk);
    expect(coreCode).not.toMatch(/murmurX64Hash128|fingerprintjs/i);
    expect(files[chunk]).toContain('immutable');
  });

  it('uses no eval or Function constructor, so a strict CSP without unsafe-eval works', () => {
    const { entry, chunk } = built();
    for (const file of [entry, chunk]) {
      expect(readFileSync(join(dist, file), 'utf8')).not.toMatch(/\beval\(|new Function\(/);
    }
  });
});
