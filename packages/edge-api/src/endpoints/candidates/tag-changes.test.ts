import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, createOrg, DAY_MS, json, rid, sendEngagements } from '../../test/client.js';

async function candidates(key: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => rid('cand'));
  for (const id of ids) await sendEngagements(key, id, [{ type: 'open_email', ago: DAY_MS }]);
  return ids;
}

async function tagsOf(key: string, id: string): Promise<string[]> {
  return ((await json(api('GET', `/v1/candidates/${id}/tags`, key))) as { tags: string[] }).tags;
}

describe('POST /v1/tag-changes', () => {
  it("adds and removes only the tags named, keeping each candidate's others", async () => {
    const org = await createOrg();
    const [a = '', b = ''] = await candidates(org.keys.user, 2);
    await api('PUT', `/v1/candidates/${a}/tags`, org.keys.user, { tags: ['berlin', 'old'] });
    await api('PUT', `/v1/candidates/${b}/tags`, org.keys.user, { tags: ['java'] });
    const response = await api('POST', '/v1/tag-changes', org.keys.user, {
      candidateIds: [a, b, a],
      add: [' java ', 'lisbon'],
      remove: ['old'],
    });
    expect(response.status).toBe(200);
    // a gains java and lisbon, b only lisbon (it had java); a loses old.
    expect(await response.json()).toEqual({ candidates: 2, added: 3, removed: 1 });
    expect(await tagsOf(org.keys.user, a)).toEqual(['berlin', 'java', 'lisbon']);
    expect(await tagsOf(org.keys.user, b)).toEqual(['java', 'lisbon']);
  });

  it('changes nothing the second time and counts nothing', async () => {
    const org = await createOrg();
    const ids = await candidates(org.keys.user, 2);
    const body = { candidateIds: ids, add: ['java'] };
    await api('POST', '/v1/tag-changes', org.keys.user, body);
    const again = await json(api('POST', '/v1/tag-changes', org.keys.user, body));
    expect(again).toEqual({ candidates: 2, added: 0, removed: 0 });
  });

  it('makes the candidates match an audience of that tag', async () => {
    const org = await createOrg();
    const ids = await candidates(org.keys.user, 3);
    await api('POST', '/v1/tag-changes', org.keys.user, {
      candidateIds: ids.slice(0, 2),
      add: ['warm'],
    });
    const audience = (await json(api('GET', '/v1/audiences?tags=warm', org.keys.reporter))) as {
      candidates: { candidateId: string }[];
    };
    expect(audience.candidates.map((c) => c.candidateId).sort()).toEqual(ids.slice(0, 2).sort());
  });

  it('is a 404 naming an id the organisation does not have, and then tags nobody', async () => {
    const [org, other] = await Promise.all([createOrg(), createOrg()]);
    const [mine = ''] = await candidates(org.keys.user, 1);
    const [theirs = ''] = await candidates(other.keys.user, 1);
    const response = await api('POST', '/v1/tag-changes', org.keys.user, {
      candidateIds: [mine, theirs],
      add: ['java'],
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain(theirs);
    expect(body.error.message).not.toContain(mine);
    expect(await tagsOf(org.keys.user, mine)).toEqual([]);
    expect(await tagsOf(other.keys.user, theirs)).toEqual([]);
  });

  it('refuses a request with nothing to do, or a tag both ways, at the field', async () => {
    const org = await createOrg();
    const [id = ''] = await candidates(org.keys.user, 1);
    const cases: [unknown, string][] = [
      [{ candidateIds: [id] }, 'add'],
      [{ candidateIds: [id], add: ['java'], remove: ['java'] }, 'remove'],
      [{ candidateIds: [], add: ['java'] }, 'candidateIds'],
      [{ candidateIds: [id], add: ['a,b'] }, 'add.0'],
      [{ candidateIds: [id], tags: ['java'] }, ''],
    ];
    for (const [body, path] of cases) {
      const response = await api('POST', '/v1/tag-changes', org.keys.user, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const reply = (await response.json()) as { error: { issues: { path: string }[] } };
      expect(reply.error.issues.map((issue) => issue.path)).toContain(path);
    }
    expect(await tagsOf(org.keys.user, id)).toEqual([]);
  });

  it('takes 500 candidates in one request', async () => {
    const org = await createOrg();
    const ids = Array.from({ length: 500 }, (_, i) => `bulk-${i}-${rid('c')}`);
    // Known to the organisation (as an ATS sync would have made them), each tagged x.
    const statements = ids.flatMap((id) => [
      env.DB.prepare('INSERT INTO candidates (id, org_id, external_id) VALUES (?1, ?2, ?3)').bind(
        `int-${id}`,
        org.orgId,
        id,
      ),
      env.DB.prepare(
        `INSERT INTO candidate_tags (org_id, candidate_id, tag, created_at) VALUES (?1, ?2, 'x', 0)`,
      ).bind(org.orgId, `int-${id}`),
    ]);
    await env.DB.batch(statements);
    const reply = await json(
      api('POST', '/v1/tag-changes', org.keys.user, {
        candidateIds: ids,
        add: ['y'],
        remove: ['x'],
      }),
    );
    expect(reply).toEqual({ candidates: 500, added: 500, removed: 500 });
  });
});
