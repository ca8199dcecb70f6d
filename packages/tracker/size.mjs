// How the tracker's size is measured, and its budgets: one definition for the build (which records
// the sizes in dist/manifest.json), the size test and the benchmark. "min" is the built file as
// served (terser's output); "gzip" is that through zlib at level 9.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Core (everything but FingerprintJS) at most 2.5 KB min+gzip (Plausible's full-featured script is
 * 2.69 KB); core plus the FingerprintJS chunk at most 20 KB.
 */
export const BUDGETS = Object.freeze({ core: 2500, total: 20000 });

/** @param {string | Uint8Array} code */
export function sizeOf(code) {
  return {
    min: typeof code === 'string' ? Buffer.byteLength(code) : code.length,
    gzip: gzipSync(code, { level: 9 }).length,
  };
}

/** The built files under `dist` (as its manifest names them) and their sizes. */
export function builtSizes(dist) {
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
  const chunk = Object.keys(manifest.files).find((file) => file.startsWith('t/fp.'));
  if (!chunk)
    throw new Error(`${dist}/manifest.json lists no FingerprintJS chunk (t/fp.<hash>.js)`);
  const core = sizeOf(readFileSync(join(dist, manifest.entry)));
  const fingerprint = sizeOf(readFileSync(join(dist, chunk)));
  return {
    entry: manifest.entry,
    chunk,
    /** `Cache-Control` per file. */
    files: manifest.files,
    core,
    fingerprint,
    total: { min: core.min + fingerprint.min, gzip: core.gzip + fingerprint.gzip },
  };
}
