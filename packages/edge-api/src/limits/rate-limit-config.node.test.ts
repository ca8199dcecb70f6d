// wrangler.jsonc's `ratelimits` are what the code documents and keys (rate-limit.ts LIMITS): the
// `Retry-After` the worker sends is the period written there, and a binding missing from the
// config would limit nothing (the bindings are optional, see env.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './rate-limit.js';

interface RateLimitConfig {
  name: string;
  namespace_id: string;
  simple: { limit: number; period: number };
}

function wranglerConfig(): { ratelimits?: RateLimitConfig[] } {
  const text = readFileSync(new URL('../../wrangler.jsonc', import.meta.url), 'utf8');
  // Comments out (strings kept whole: they may hold `//`), then trailing commas: plain JSON.
  const json = text
    .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, kept?: string) => kept ?? '')
    .replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(json);
}

describe('wrangler.jsonc ratelimits', () => {
  it('binds every limiter with the limit and period the code documents, each in its own namespace', () => {
    const configured = wranglerConfig().ratelimits ?? [];
    const byName = Object.fromEntries(
      configured.map((entry) => [
        entry.name,
        { limit: entry.simple.limit, period: entry.simple.period },
      ]),
    );
    const documented = Object.fromEntries(
      Object.entries(LIMITS).map(([name, { limit, period }]) => [name, { limit, period }]),
    );
    expect(byName).toEqual(documented);
    const namespaces = configured.map((entry) => entry.namespace_id);
    expect(new Set(namespaces).size).toBe(namespaces.length);
  });
});
