import { env } from 'cloudflare:workers';
import { DEFAULT_MODEL } from '@cxm/scoring';
import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  DAY_MS,
  errorOf,
  json,
  postJson,
  rid,
  sendEngagements,
} from '../../test/client.js';
import { type AudienceFilter, audienceCountSql, audiencePageSql } from './audience-sql.js';

interface Member {
  candidateId: string;
  tier: string;
  points: number;
  lastEngagedAt: string | null;
  lastContactedAt: string | null;
  tags: string[];
}

interface Audience {
  candidates: Member[];
  total: number;
  nextCursor: string | null;
}

/** `count` candidates each with one engagement, `i` minutes apart (the first most recent). */
async function many(key: string, count: number, prefix: string) {
  const ids: string[] = [];
  for (let from = 0; from < count; from += 500) {
    const chunk = Array.from({ length: Math.min(500, count - from) }, (_, i) => from + i);
    const response = await postJson(
      '/v1/engagements',
      {
        engagements: chunk.map((i) => ({
          id: rid('evt'),
          candidateId: `${prefix}-${String(i).padStart(4, '0')}`,
          type: i % 3 === 0 ? 'attend_event' : 'open_email',
          occurredAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
        })),
      },
      key,
    );
    expect(response.status).toBe(202);
    ids.push(...chunk.map((i) => `${prefix}-${String(i).padStart(4, '0')}`));
  }
  return ids;
}

/** Every row of the CSV, header first, parsed as RFC 4180 (quoted fields may hold anything). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const field = /("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n)/gy;
  let row: string[] = [];
  for (let match = field.exec(text); match; match = field.exec(text)) {
    const raw = match[1] ?? '';
    row.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
    if (match[2] === '\r\n') {
      rows.push(row);
      row = [];
    }
    if (field.lastIndex === text.length) break;
  }
  return rows;
}

describe('GET /v1/audiences?sort=lastEngaged', () => {
  it('lists the most recently engaged first, paging with its own cursor, never-engaged last', async () => {
    const org = await createOrg();
    const ids = await many(org.keys.user, 7, rid('p'));
    const tagged = rid('never');
    await api('PUT', `/v1/candidates/${tagged}/tags`, org.keys.user, { tags: ['java'] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `sort=lastEngaged&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Audience = await json<Audience>(
        api('GET', `/v1/audiences?${query}`, org.keys.reporter),
      );
      expect(page.total).toBe(8);
      seen.push(...page.candidates.map((c) => c.candidateId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids, tagged]);
  });

  it('refuses a score cursor for the last-engaged order, and an empty date range, saying why', async () => {
    const org = await createOrg();
    await many(org.keys.user, 3, rid('p'));
    const first = await json<Audience>(api('GET', '/v1/audiences?limit=1', org.keys.reporter));
    const wrong = await api(
      'GET',
      `/v1/audiences?sort=lastEngaged&cursor=${first.nextCursor}`,
      org.keys.reporter,
    );
    expect(wrong.status).toBe(400);
    expect((await errorOf(wrong)).issues).toEqual([
      expect.objectContaining({ path: 'cursor', message: 'is not a cursor this API made' }),
    ]);
    const range = await api(
      'GET',
      '/v1/audiences?lastEngagedAfter=2026-10-01&lastEngagedBefore=2026-09-01',
      org.keys.reporter,
    );
    expect(range.status).toBe(400);
    expect((await errorOf(range)).issues?.[0]).toMatchObject({
      path: 'lastEngagedAfter',
      message: 'must be before lastEngagedBefore (2026-10-01 is not before 2026-09-01)',
    });
    const sort = await api('GET', '/v1/audiences?sort=newest', org.keys.reporter);
    expect(sort.status).toBe(400);
    expect((await errorOf(sort)).issues?.[0]?.path).toBe('sort');
  });

  it('walks (org_id, last_engaged_at) in order: no temporary sort, with tiers, ranges, tags, cursor', async () => {
    const now = Date.now();
    const base: AudienceFilter = {
      orgId: 'demo',
      tiers: [],
      now,
      model: DEFAULT_MODEL,
      lastEngagedBefore: null,
      lastEngagedAfter: null,
      lastContactedBefore: null,
      lastContactedAfter: null,
      neverContacted: false,
      tags: [],
      tagMatch: 'all',
      sort: 'lastEngaged',
    };
    const filters: Partial<AudienceFilter>[] = [
      {},
      { tiers: ['engaged'] },
      { lastEngagedAfter: now - 30 * DAY_MS, lastEngagedBefore: now },
      { lastContactedBefore: now, tags: ['java'] },
      { neverContacted: true, tiers: ['inactive', 'highly_engaged'] },
    ];
    for (const part of filters) {
      for (const cursor of [null, { e: now - DAY_MS, r: 12 }, { e: null, r: 12 }]) {
        const page = audiencePageSql({ ...base, ...part }, cursor, 101);
        const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${page.sql}`)
          .bind(...page.params)
          .all<{ detail: string }>();
        const details = plan.results.map((row) => row.detail).join('\n');
        expect(details, JSON.stringify(part)).toMatch(
          /SEARCH s USING INDEX scores_org_last_engaged \(org_id=\?/,
        );
        expect(details, JSON.stringify(part)).not.toMatch(
          /SCAN s\b|TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/,
        );
      }
      // The count has no order: it keeps the list's own index choice.
      const count = audienceCountSql({ ...base, ...part });
      expect(count.sql).not.toContain('scores_org_last_engaged');
    }
  });
});

describe('GET /v1/audiences/export', () => {
  it('streams every match as CSV, more than a page, with a header row and the count', async () => {
    const org = await createOrg();
    const ids = await many(org.keys.user, 520, rid('x'));
    const response = await api(
      'GET',
      '/v1/audiences/export?format=csv&sort=lastEngaged',
      org.keys.reporter,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="candidates-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(response.headers.get('x-total-count')).toBe('520');
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual([
      'Candidate',
      'Tier',
      'Points',
      'Last engaged',
      'Last contacted',
      'Tags',
    ]);
    expect(rows.slice(1).map((row) => row[0])).toEqual(ids);
    expect(rows[1]?.[1]).toMatch(/^(inactive|engaged|highly_engaged)$/);
  });

  it('exports the filtered matches as the API JSON, and only the selected ones when asked', async () => {
    const org = await createOrg();
    const prefix = rid('j');
    const ids = await many(org.keys.user, 6, prefix);
    for (const id of ids.slice(0, 4)) {
      await api('PUT', `/v1/candidates/${id}/tags`, org.keys.user, { tags: ['java'] });
    }
    const all = await api('GET', '/v1/audiences/export?format=json&tags=java', org.keys.reporter);
    expect(all.headers.get('content-disposition')).toMatch(/\.json"$/);
    const body = await json<{ candidates: Member[]; total: number }>(all);
    expect(body.total).toBe(4);
    const listed = await json<Audience>(api('GET', '/v1/audiences?tags=java', org.keys.reporter));
    // Points decay between the two reads: the same members otherwise.
    const sameBut = (list: Member[]) => list.map((m) => ({ ...m, points: Math.round(m.points) }));
    expect(sameBut(body.candidates)).toEqual(sameBut(listed.candidates));
    const picked = await json<{ candidates: Member[]; total: number }>(
      api(
        'GET',
        `/v1/audiences/export?format=json&tags=java&ids=${ids[0]},${ids[5]}`,
        org.keys.reporter,
      ),
    );
    expect(picked.candidates.map((c) => c.candidateId)).toEqual([ids[0]]);
    const none = await json<{ candidates: Member[]; total: number }>(
      api('GET', `/v1/audiences/export?format=json&tags=${rid('nobody')}`, org.keys.reporter),
    );
    expect(none).toEqual({ candidates: [], total: 0 });
  });

  it('makes formula-like cells inert and quotes what needs quoting', async () => {
    const org = await createOrg();
    const id = `=cmd|' /C calc'!A0-${rid('f')}`;
    await sendEngagements(org.keys.user, id, [{ type: 'attend_event', ago: DAY_MS }]);
    await api('PUT', `/v1/candidates/${encodeURIComponent(id)}/tags`, org.keys.user, {
      tags: ['@risk', 'a "quoted" tag', '-1+1'],
    });
    const text = await (await api('GET', '/v1/audiences/export', org.keys.reporter)).text();
    const rows = parseCsv(text);
    expect(rows[1]?.[0]).toBe(`'${id}`);
    expect(rows[1]?.[5]).toBe(`'-1+1, @risk, a "quoted" tag`);
  });

  it('refuses bad values in words, and a user key', async () => {
    const org = await createOrg();
    const bad = await api('GET', '/v1/audiences/export?format=xlsx&tier=hot', org.keys.reporter);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).issues?.map((issue) => issue.path).sort()).toEqual([
      'format',
      'tier',
    ]);
    const ids = Array.from({ length: 101 }, (_, i) => `c${i}`).join(',');
    const tooMany = await api('GET', `/v1/audiences/export?ids=${ids}`, org.keys.reporter);
    expect((await errorOf(tooMany)).issues?.[0]?.message).toBe('at most 100 ids (101 given)');
    expect((await api('GET', '/v1/audiences/export', org.keys.user)).status).toBe(403);
  });
});
