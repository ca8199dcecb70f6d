// The score and visitor version guards in D1, and withRetries: which errors it retries, rethrows
// or gives up on.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { rid } from '../test/client.js';
import { isRetryable, WriteContention, withRetries } from './retry.js';

describe('version guard triggers', () => {
  it('abort a batch that writes a score from a stale read, keeping none of it', async () => {
    const candidate = rid('c');
    await env.DB.batch([
      env.DB.prepare("INSERT INTO candidates (id, org_id, external_id) VALUES (?, 'demo', ?)").bind(
        candidate,
        candidate,
      ),
      env.DB.prepare(
        "INSERT INTO scores (candidate_id, org_id, state, tier, updated_at, version) VALUES (?, 'demo', '{}', 'inactive', 0, 1)",
      ).bind(candidate),
    ]);
    // Another writer moved the row from version 1 to 2 ...
    await env.DB.prepare('UPDATE scores SET version = version + 1 WHERE candidate_id = ?')
      .bind(candidate)
      .run();
    // ... so a batch computed from version 1 fails as a whole.
    const stale = env.DB.batch([
      env.DB.prepare("UPDATE candidates SET external_id = 'changed' WHERE id = ?").bind(candidate),
      env.DB.prepare('UPDATE scores SET version = 2 WHERE candidate_id = ?').bind(candidate),
    ]);
    await expect(stale).rejects.toThrow(/stale_version/);
    const row = await env.DB.prepare('SELECT external_id FROM candidates WHERE id = ?')
      .bind(candidate)
      .first<{ external_id: string }>();
    expect(row?.external_id).toBe(candidate);
  });
});

describe('the visitor version guard (the link)', () => {
  async function visitorRow() {
    const id = rid('vis');
    await env.DB.prepare(
      "INSERT INTO visitors (id, org_id, device_id, first_seen_at, last_seen_at) VALUES (?, 'demo', ?, 0, 0)",
    )
      .bind(id, rid('v'))
      .run();
    return id;
  }

  it("lets a beacon's in-place update of what it saw through without a version", async () => {
    const id = await visitorRow();
    const touches = Array.from({ length: 5 }, (_, i) =>
      env.DB.prepare(
        "UPDATE visitors SET last_seen_at = max(last_seen_at, ?), kind = 'stored' WHERE id = ?",
      )
        .bind(100 - i, id)
        .run(),
    );
    await Promise.all(touches);
    const row = await env.DB.prepare('SELECT last_seen_at, version FROM visitors WHERE id = ?')
      .bind(id)
      .first<{ last_seen_at: number; version: number }>();
    expect(row).toEqual({ last_seen_at: 100, version: 1 });
  });

  it('refuses a link change without the version going up by one, and a stale version', async () => {
    const id = await visitorRow();
    const unversioned = env.DB.prepare(
      "UPDATE visitors SET link_source = 'api', linked_at = 1 WHERE id = ?",
    )
      .bind(id)
      .run();
    await expect(unversioned).rejects.toThrow(/stale_version: visitors/);
    await env.DB.prepare('UPDATE visitors SET version = version + 1 WHERE id = ?').bind(id).run();
    // Read at version 1, written as 2: the row is at 2 already.
    const stale = env.DB.prepare(
      "UPDATE visitors SET link_source = 'api', version = 2 WHERE id = ?",
    )
      .bind(id)
      .run();
    await expect(stale).rejects.toThrow(/stale_version: visitors/);
  });
});

describe('withRetries', () => {
  it('retries lost races and gives up with WriteContention', async () => {
    let calls = 0;
    const lost = withRetries(async () => {
      calls += 1;
      throw new Error('D1_ERROR: stale_version: scores: SQLITE_CONSTRAINT');
    }, 3);
    await expect(lost).rejects.toBeInstanceOf(WriteContention);
    expect(calls).toBe(3);
  });

  it('rethrows any other error at once, after one attempt', async () => {
    let calls = 0;
    const broken = new Error('D1_ERROR: no such table: x');
    const failed = withRetries(async () => {
      calls += 1;
      throw broken;
    }, 5);
    await expect(failed).rejects.toBe(broken);
    expect(calls).toBe(1);
  });

  it('returns the first success after lost races, and gives up when the attempts run out', async () => {
    let calls = 0;
    const won = await withRetries(async () => {
      calls += 1;
      if (calls < 3) throw new Error('x', { cause: new Error('SQLITE_BUSY') });
      return 'written';
    }, 3);
    expect(won).toBe('written');
    expect(calls).toBe(3);

    calls = 0;
    const once = withRetries(async () => {
      calls += 1;
      throw new Error('UNIQUE constraint failed: engagements.event_key');
    }, 1);
    await expect(once).rejects.toThrow(new WriteContention(1).message);
    await expect(once).rejects.toBeInstanceOf(WriteContention);
    expect(calls).toBe(1);
  });

  it('does not retry other errors', async () => {
    expect(isRetryable(new Error('no such table: x'))).toBe(false);
    expect(isRetryable(new Error('x', { cause: new Error('UNIQUE constraint failed: a.b') }))).toBe(
      true,
    );
  });
});
