// The per-isolate cache on a fake clock: entries live for the TTL and no longer, the oldest go
// first past the bound, and forgetting by value drops exactly the matching entries.
import { describe, expect, it } from 'vitest';
import { IsolateCache } from './isolate-cache.js';

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('IsolateCache', () => {
  it('keeps an entry for its TTL, then reads as missing', () => {
    const time = clock();
    const cache = new IsolateCache<string, number>(10_000, 10, time.now);
    cache.set('a', 1);
    time.advance(9_999);
    expect(cache.get('a')).toBe(1);
    time.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('setting again renews the TTL and the place in line', () => {
    const time = clock();
    const cache = new IsolateCache<string, number>(10_000, 2, time.now);
    cache.set('a', 1);
    cache.set('b', 2);
    time.advance(5_000);
    cache.set('a', 3);
    // Over the bound: b, now the oldest, goes.
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([3, undefined, 4]);
    time.advance(6_000);
    expect(cache.get('a')).toBe(3);
  });

  it('never holds more than its bound, whatever keys arrive', () => {
    const cache = new IsolateCache<string, number>(60_000, 100);
    for (let i = 0; i < 10_000; i++) cache.set(`made-up-${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get('made-up-9999')).toBe(9999);
    expect(cache.get('made-up-0')).toBeUndefined();
  });

  it('forgets by value, and only the matching entries', () => {
    const cache = new IsolateCache<string, { orgId: string }>(60_000, 10);
    cache.set('pk_1', { orgId: 'a' });
    cache.set('pk_2', { orgId: 'b' });
    cache.set('pk_3', { orgId: 'a' });
    cache.deleteWhere((site) => site.orgId === 'a');
    expect([cache.get('pk_1'), cache.get('pk_2'), cache.get('pk_3')]).toEqual([
      undefined,
      { orgId: 'b' },
      undefined,
    ]);
  });
});
