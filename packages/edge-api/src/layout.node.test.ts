// The package's map, enforced: every module's folder has a layer, imports point only to the same
// or a lower layer (type-only imports included), and no modules import each other in a circle.
// A newcomer reads where things go from LAYERS; a change that breaks the map fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/**
 * Lowest first. A module may import from its own layer or any layer below. Folders (or top-level
 * files) not listed fail the test, so a new folder must be placed on the map.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['utils', 'config.ts'], // mechanisms with no knowledge of the product: errors, cursors, encodings, URLs
  ['db', 'schemas'], // D1 schema, client, retries, row helpers; shared zod building blocks
  ['env.ts'], // the Worker's bindings and request variables
  ['shards'], // which database holds an organisation: the directory, routing (moves: endpoints/ops)
  ['webhooks'], // the tier-change outbox and its delivery
  ['scoring', 'identity', 'messaging'], // score pipeline (apply, rescore, decay); relinks; texting
  ['limits'], // rate limits: keys, bindings, the 429 (auth counts refused and per-key requests)
  ['orgs', 'auth'], // an organisation's settings and sites; API keys, roles, signed tokens
  ['middleware'], // request plumbing shared by endpoints
  ['endpoints'], // one folder per resource: route, schema, logic, tests
  ['jobs', 'client', 'console', 'docs', 'landing'], // cron, queues; typed client; console; /docs; /
  ['app.ts', 'tools.ts'], // mounts everything; what benchmarks reuse
  ['index.ts'], // the Worker's handlers
];

/** Test support and tests sit outside the map: they may reach anything. */
function isTest(file: string): boolean {
  return file.startsWith('test/') || /\.test\.tsx?$/.test(file);
}

function sources(dir = SRC, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(SRC, path));
  }
  return out;
}

/** `import … from './x.js'`, `export … from`, type-only forms and bare `import './x.js'`. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?:[^;]*?from\s*)?['"](\.{1,2}\/[^'"?]+)['"]/g;

/** Relative imports of `file`, as paths from src (`.js` specifiers mapped to their sources). */
function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] as string;
    const base = relative(SRC, resolve(SRC, dirname(file), spec));
    const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx')];
    const target = candidates.find((candidate) => known.has(candidate));
    if (target) found.push(target);
  }
  return found;
}

function layerOf(file: string): number {
  const top = file.split('/')[0] as string;
  return LAYERS.findIndex((layer) => layer.includes(top));
}

const files = sources().filter((file) => !isTest(file));
const known = new Set(sources());
const graph = new Map(files.map((file) => [file, importsOf(file, known)]));

describe('package layout', () => {
  it('places every module on the map', () => {
    const unplaced = files.filter((file) => layerOf(file) === -1);
    expect(unplaced).toEqual([]);
  });

  it('imports only from the same or a lower layer', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        if (isTest(target)) upward.push(`${file} -> ${target} (test code)`);
        else if (layerOf(target) > layerOf(file)) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import circle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === 'open') {
          cycles.push([...stack.slice(stack.indexOf(target)), target].join(' -> '));
        } else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
