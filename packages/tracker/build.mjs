#!/usr/bin/env node
// Builds dist/ with rollup:
//   t.js                 the snippet's IIFE (core only), served at /t.js with a short cache
//   t/fp.<hash>.js       FingerprintJS, injected by t.js after consent, served immutable
//   esm/index.js (+ .d.ts, fingerprint-<hash>.js)  the npm build, FingerprintJS via import()
//   manifest.json        the files, their Cache-Control, and the measured sizes
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';
import { sizeOf } from './size.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const SHORT_CACHE = 'public, max-age=300, stale-while-revalidate=3600';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const ts = (extra = {}) =>
  typescript({
    tsconfig: join(here, 'tsconfig.json'),
    include: ['src/**/*.ts'],
    exclude: ['src/**/*.test.ts'],
    compilerOptions: { target: 'ES2020', noEmit: false, types: [], ...extra },
  });
// The core is small and fully tested, so it gets terser's `unsafe` rewrites (assume built-ins are
// not replaced, getters have no side effects, comparisons are of plain numbers and strings);
// FingerprintJS gets the safe defaults. For the core, `if` statements stay statements
// (`conditionals: false`) and functions are hoisted: each saves 10-25 bytes after gzip there.
const minify = (unsafe) =>
  terser({
    ecma: 2020,
    compress: {
      passes: 4,
      ...(unsafe
        ? {
            unsafe: true,
            unsafe_arrows: true,
            unsafe_comps: true,
            pure_getters: true,
            conditionals: false,
            hoist_funs: true,
          }
        : {}),
    },
    format: { comments: false },
  });
/** Replaces `__FP_FILE__` in the core with the chunk's hashed name. */
const define = (values) => ({
  name: 'define',
  transform(code) {
    let out = code;
    for (const [key, value] of Object.entries(values))
      out = out.replaceAll(key, JSON.stringify(value));
    return out === code ? null : { code: out, map: null };
  },
});

async function iife(input, plugins, strict) {
  const bundle = await rollup({
    input: join(here, input),
    plugins: [...plugins, nodeResolve(), ts(), minify(!strict)],
  });
  const { output } = await bundle.generate({ format: 'iife', strict });
  await bundle.close();
  return output[0].code;
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 't'), { recursive: true });

const fpCode = await iife('src/fingerprint-chunk.ts', [], true);
const fpFile = `fp.${createHash('sha256').update(fpCode).digest('hex').slice(0, 12)}.js`;
writeFileSync(join(dist, 't', fpFile), fpCode);

const coreCode = await iife('src/script.ts', [define({ __FP_FILE__: fpFile })], false);
writeFileSync(join(dist, 't.js'), coreCode);

const esm = await rollup({
  input: join(here, 'src/index.ts'),
  plugins: [
    nodeResolve(),
    ts({ declaration: true, declarationDir: join(dist, 'esm'), outDir: join(dist, 'esm') }),
  ],
});
await esm.write({ dir: join(dist, 'esm'), format: 'es', chunkFileNames: '[name]-[hash].js' });
await esm.close();

const core = sizeOf(coreCode);
const fingerprint = sizeOf(fpCode);
const manifest = {
  entry: 't.js',
  files: { 't.js': SHORT_CACHE, [`t/${fpFile}`]: IMMUTABLE },
  sizes: {
    core,
    fingerprint,
    total: { min: core.min + fingerprint.min, gzip: core.gzip + fingerprint.gzip },
  },
};
writeFileSync(join(dist, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(
  `built t.js ${core.min} B min, ${core.gzip} B gzip; t/${fpFile} ${fingerprint.min} B min, ${fingerprint.gzip} B gzip\n`,
);
