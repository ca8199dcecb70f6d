import { describe, expect, it } from 'vitest';
import { api, createOrg, DAY_MS, json, rid, sendEngagements } from '../../test/client.js';

describe('GET /v1/candidates/{candidateId}/tags', () => {
  it('gives the tags PUT set, alphabetical, to a user key', async () => {
    const org = await createOrg();
    const id = rid('cand');
    await api('PUT', `/v1/candidates/${id}/tags`, org.keys.user, { tags: ['lisbon', 'backend'] });
    const reply = await json(api('GET', `/v1/candidates/${id}/tags`, org.keys.user));
    expect(reply).toEqual({ candidateId: id, tags: ['backend', 'lisbon'] });
  });

  it("is a 404 for a candidate the organisation does not have, another's included", async () => {
    const [org, other] = await Promise.all([createOrg(), createOrg()]);
    const id = rid('cand');
    await api('PUT', `/v1/candidates/${id}/tags`, other.keys.user, { tags: ['secret'] });
    const response = await api('GET', `/v1/candidates/${id}/tags`, org.keys.user);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('secret');
  });

  it('gives no tags for a candidate who has none, and reading creates nobody', async () => {
    const org = await createOrg();
    const id = rid('cand');
    await sendEngagements(org.keys.user, id, [{ type: 'open_email', ago: DAY_MS }]);
    expect(await json(api('GET', `/v1/candidates/${id}/tags`, org.keys.user))).toEqual({
      candidateId: id,
      tags: [],
    });
    const ghost = rid('cand');
    expect((await api('GET', `/v1/candidates/${ghost}/tags`, org.keys.user)).status).toBe(404);
    expect((await api('GET', `/v1/candidates/${ghost}/score`, org.keys.user)).status).toBe(404);
  });
});
