import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createTransport,
  DROP,
  type Envelope,
  FIRST_BACKOFF_MS,
  MAX_RETRIES,
  OFF,
  type Outcome,
  outcomeOf,
  RETRY,
  SENT,
  toBatches,
} from './transport.js';
import { type BeaconEvent, MAX_BEACON_BYTES, MAX_BEACON_EVENTS } from './wire.js';

const envelope: Envelope = { v: 1, site: 'pk_demo', visitor: { id: 'visitor-1', kind: 'stored' } };
const visit = (n: number, url = `https://a.test/jobs/${n}`): BeaconEvent => ({
  id: `event-${n}`.padEnd(8, '0'),
  type: 'visit_landing_page',
  url,
  at: 1_700_000_000_000 + n,
});
const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('batching', () => {
  it('keeps every body within 20 events and 16 KB (UTF-8), in order, losing none', () => {
    const events = [
      ...Array.from({ length: 45 }, (_, i) => visit(i)),
      ...Array.from({ length: 30 }, (_, i) => visit(100 + i, `https://a.test/${'é'.repeat(1000)}`)),
    ];
    const batches = toBatches(envelope, events);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(MAX_BEACON_EVENTS);
      expect(bytes(JSON.stringify({ ...envelope, events: batch }))).toBeLessThanOrEqual(
        MAX_BEACON_BYTES,
      );
    }
    const sent = batches.flat().map((e) => e.id);
    expect(sent).toEqual(events.map((e) => e.id));
    expect(batches.slice(0, 2).map((b) => b.length)).toEqual([20, 20]);
  });
});

describe('delivery and retry', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function harness(outcomes: Outcome[]) {
    const posts: { url: string; body: ReturnType<typeof JSON.parse> }[] = [];
    const post = vi.fn(async (url: string, body: string) => {
      posts.push({ url, body: JSON.parse(body) });
      return outcomes.shift() ?? SENT;
    });
    let allowed = true;
    const onOff = vi.fn();
    const [send, clear] = createTransport(
      'https://edge.test/v1/collect',
      () => (allowed ? envelope : undefined),
      onOff,
      post,
    );
    return { posts, post, transport: { send, clear }, onOff, deny: () => (allowed = false) };
  }

  it('posts the envelope with the events to the collector', async () => {
    const { posts, transport } = harness([]);
    transport.send([visit(1)]);
    await vi.runAllTimersAsync();
    expect(posts).toEqual([
      { url: 'https://edge.test/v1/collect', body: { ...envelope, events: [visit(1)] } },
    ]);
  });

  it('retries a failed send with growing backoff, the same event ids each time, and stops after a bound', async () => {
    const { posts, transport } = harness(Array(20).fill(RETRY));
    transport.send([visit(1)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(posts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(FIRST_BACKOFF_MS + 300);
    expect(posts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(FIRST_BACKOFF_MS); // 2 s backoff not over yet
    expect(posts).toHaveLength(2);
    await vi.runAllTimersAsync();
    expect(posts).toHaveLength(1 + MAX_RETRIES);
    expect(new Set(posts.map((p) => p.body.events[0].id))).toEqual(new Set([visit(1).id]));
  });

  it('waits the Retry-After of a 429 before retrying, longer than its own backoff', async () => {
    const { posts, transport } = harness([30_000]);
    transport.send([visit(1)]);
    await vi.advanceTimersByTimeAsync(29_900);
    expect(posts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body.events).toEqual([visit(1)]);
  });

  it('a 429 pushes back a retry already scheduled sooner', async () => {
    const { posts, transport } = harness([RETRY, 10_000]);
    transport.send([visit(1)]);
    transport.send([visit(2)]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(posts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5_300);
    expect(posts).toHaveLength(3);
    expect(posts[2]!.body.events).toEqual([visit(1), visit(2)]);
  });

  it('delivers on a retry after a failure', async () => {
    const { posts, transport } = harness([RETRY]);
    transport.send([visit(1)]);
    await vi.runAllTimersAsync();
    expect(posts).toHaveLength(2);
  });

  it('does not retry what the API refused (a 4xx other than 429)', async () => {
    const { posts, transport } = harness([DROP]);
    transport.send([visit(1)]);
    await vi.runAllTimersAsync();
    expect(posts).toHaveLength(1);
  });

  it('sends nothing, retries included, once consent is gone and the queue cleared', async () => {
    const { posts, transport, deny } = harness([RETRY]);
    transport.send([visit(1)]);
    await vi.advanceTimersByTimeAsync(0);
    deny();
    transport.clear();
    await vi.runAllTimersAsync();
    transport.send([visit(2)]);
    expect(posts).toHaveLength(1);
  });

  it('reports a reply saying tracking is off', async () => {
    const { transport, onOff } = harness([OFF]);
    transport.send([visit(1)]);
    await vi.runAllTimersAsync();
    expect(onOff).toHaveBeenCalledTimes(1);
  });

  it('counts a post that throws (a page fetch wrapper, no transport at all) as a failed send, retried with backoff', async () => {
    const posts: string[] = [];
    const post = vi.fn((_url: string, body: string): Outcome => {
      posts.push(body);
      if (posts.length < 3) throw new TypeError('wrapper: sync throw');
      return SENT;
    });
    const [send] = createTransport('https://edge.test/v1/collect', () => envelope, vi.fn(), post);
    expect(() => send([visit(1)])).not.toThrow();
    await vi.advanceTimersByTimeAsync(0);
    expect(posts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(FIRST_BACKOFF_MS + 300);
    expect(posts).toHaveLength(2);
    await vi.runAllTimersAsync();
    expect(posts).toHaveLength(3);
    expect(new Set(posts)).toEqual(new Set([posts[0]])); // the same events each time
  });
});

describe("what the collector's reply means", () => {
  const reply = (status: number, headers: Record<string, string> = {}, body = '{}') =>
    new Response(status === 204 ? null : body, { status, headers });

  it('times a 429 by its Retry-After (seconds), at least 1 s', async () => {
    expect(await outcomeOf(reply(429, { 'retry-after': '60' }))).toBe(60_000);
    expect(await outcomeOf(reply(429))).toBe(1000);
    expect(await outcomeOf(reply(429, { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }))).toBe(
      1000,
    );
  });

  it('retries a 5xx, drops another 4xx, and reads tracking: false', async () => {
    expect(await outcomeOf(reply(503))).toBe(RETRY);
    expect(await outcomeOf(reply(413))).toBe(DROP);
    expect(await outcomeOf(reply(202, {}, '{"tracking":true}'))).toBe(SENT);
    expect(await outcomeOf(reply(202, {}, '{"tracking":false}'))).toBe(OFF);
  });
});
