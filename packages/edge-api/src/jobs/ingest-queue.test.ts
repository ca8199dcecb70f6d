import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { beacon, rid, rows, sendBeacon, visit } from '../test/client.js';

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the ingest queue (COLLECT_MODE "queue", as in production)', () => {
  it('answers at once and the consumer writes the beacon, deduped, through a real miniflare queue', async () => {
    const body = beacon({ events: [visit(), visit('http://localhost:8080/b')] });
    const bindings = { COLLECT_MODE: 'queue', INGEST_QUEUE: env.TEST_INGEST_QUEUE };
    const duplicatesCounted = () =>
      rows<{ n: number }>('SELECT COALESCE(SUM(duplicates), 0) AS n FROM collect_stats').then(
        (result) => result[0]!.n,
      );
    const duplicatesBefore = await duplicatesCounted();
    const first = await sendBeacon(body, { bindings });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      dropped: 0,
      tracking: true,
      fingerprint: 'none',
    });
    // A retry of the same beacon goes through the queue too; the consumer dedupes it.
    await sendBeacon(body, { bindings });
    const count = () =>
      rows<{ n: number }>(
        `SELECT COUNT(*) AS n FROM engagements e JOIN visitors v ON v.id = e.visitor_id
         WHERE v.device_id = ?`,
        body.visitor.id,
      ).then((result) => result[0]!.n);
    expect(await eventually(count, (n) => n === 2)).toBe(2);
    // Once the consumer has handled the retry it counts its two events as duplicates; by then
    // nothing may have been stored twice.
    expect(await eventually(duplicatesCounted, (n) => n >= duplicatesBefore + 2)).toBe(
      duplicatesBefore + 2,
    );
    expect(await count()).toBe(2);
  });

  it('says the fingerprint is not known yet, and the consumer keeps it with the visitor', async () => {
    const fp = rid('fp');
    const body = beacon({ visitor: { id: rid('v'), kind: 'stored', fp } });
    const reply = await sendBeacon(body, {
      bindings: { COLLECT_MODE: 'queue', INGEST_QUEUE: env.TEST_INGEST_QUEUE },
    });
    expect(await reply.json()).toMatchObject({ accepted: 1, fingerprint: 'queued' });
    const stored = () =>
      rows<{ fp: string | null; owner: string | null }>(
        `SELECT v.fp, f.visitor_id AS owner FROM visitors v
         LEFT JOIN fingerprints f ON f.org_id = v.org_id AND f.fp = v.fp WHERE v.device_id = ?`,
        body.visitor.id,
      );
    const [row] = await eventually(stored, (found) => found[0]?.fp === fp);
    expect(row?.fp).toBe(fp);
    expect(row?.owner).toEqual(expect.any(String));
  });
});

describe('COLLECT_MODE', () => {
  /** A queue that only keeps what it is sent: no consumer can write behind the test's back. */
  function keptQueue() {
    const sent: unknown[] = [];
    const queue = {
      send: async (message: unknown) => {
        sent.push(message);
      },
    } as unknown as Queue;
    return { sent, queue };
  }
  const stored = (deviceId: string) =>
    rows('SELECT id FROM visitors WHERE device_id = ?', deviceId).then((found) => found.length);

  it('"queue" answers 202 having only enqueued the beacon: nothing is written before the reply', async () => {
    const { sent, queue } = keptQueue();
    const body = beacon();
    const reply = await sendBeacon(body, {
      bindings: { COLLECT_MODE: 'queue', INGEST_QUEUE: queue },
    });
    expect(reply.status).toBe(202);
    expect(await reply.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      dropped: 0,
      tracking: true,
      fingerprint: 'none',
    });
    expect(sent).toEqual([
      expect.objectContaining({ kind: 'beacon', job: expect.objectContaining({ orgId: 'demo' }) }),
    ]);
    expect(await stored(body.visitor.id)).toBe(0);
  });

  it('"direct" writes before answering even with the queue bound (local development)', async () => {
    const { sent, queue } = keptQueue();
    const body = beacon();
    const reply = await sendBeacon(body, {
      bindings: { COLLECT_MODE: 'direct', INGEST_QUEUE: queue },
    });
    expect(await reply.json()).toMatchObject({ accepted: 1, duplicates: 0, fingerprint: 'none' });
    expect(sent).toEqual([]);
    expect(await stored(body.visitor.id)).toBe(1);
  });
});
