import { describe, expect, it } from 'vitest';
import {
  api,
  createOrg,
  engagement,
  errorOf,
  orgFootprint,
  request,
  sendBeacon,
  type TestOrg,
  visit,
} from '../test/client.js';

/** `"\ud800lone"`: what the contract fuzzer sent, a lone high surrogate then text. */
const LONE = '\ud800lone';
/** The same in a URL: a surrogate encoded as UTF-8, which is not UTF-8. */
const LONE_IN_URL = '%ED%A0%80lone';

/** The refusal: a 400 whose message and one issue name the field. */
async function expectRefusalOf(reply: Response, field: string) {
  expect(reply.status).toBe(400);
  const error = await errorOf(reply);
  expect(error.code).toBe('invalid_request');
  expect(error.message).toContain(field);
  expect(error.issues?.map((issue) => issue.path)).toEqual([field]);
  return error;
}

/** Runs `send` and checks that it wrote nothing of `org`'s. */
async function writesNothing(
  org: TestOrg,
  send: () => Response | Promise<Response>,
): Promise<Response> {
  const before = await orgFootprint(org.orgId);
  expect(Object.keys(before)).toContain('candidates');
  const reply = await send();
  expect(await orgFootprint(org.orgId)).toEqual(before);
  return reply;
}

describe('a lone UTF-16 surrogate in a JSON body', () => {
  it('refuses an engagement whose candidate id holds one, naming the field, and stores nothing', async () => {
    const org = await createOrg();
    const reply = await writesNothing(org, () =>
      api('POST', '/v1/engagements', org.keys.user, {
        engagements: [engagement(), engagement({ candidateId: LONE })],
      }),
    );
    const error = await expectRefusalOf(reply, 'engagements.1.candidateId');
    expect(error.message).toContain('well-formed Unicode');
    expect(error.issues?.[0]?.message).toContain('lone UTF-16 surrogate');
  });

  it('is refused as the JSON escape and whatever field holds it, a property name included', async () => {
    const org = await createOrg();
    // The body as the fuzzer wrote it: valid UTF-8 text with the escape `\ud800`.
    const raw = `{"candidateId":"\\ud800lone","subject":"Fair","destinations":["${org.origin}/x"]}`;
    const links = await writesNothing(org, () =>
      request('/v1/links', {
        method: 'POST',
        headers: { authorization: `Bearer ${org.keys.user}`, 'content-type': 'application/json' },
        body: raw,
      }),
    );
    await expectRefusalOf(links, 'candidateId');
    const tags = await writesNothing(org, () =>
      api('PUT', '/v1/candidates/cand-1/tags', org.keys.user, { tags: ['java', 'x\udfff'] }),
    );
    await expectRefusalOf(tags, 'tags.1');
    const key = await writesNothing(org, () =>
      api('POST', '/v1/keys', org.keys.manager, { name: 'ok', role: 'user', '\ud800': 1 }),
    );
    const error = await expectRefusalOf(key, '\ufffd');
    expect(error.issues?.[0]?.message).toContain('property name');
  });

  it('refuses a beacon whose visitor id holds one, before its site or origin is even looked at', async () => {
    const org = await createOrg();
    const reply = await writesNothing(org, () =>
      sendBeacon(
        {
          v: 1,
          site: org.siteKey,
          visitor: { id: `v_${LONE}`, kind: 'stored' },
          events: [visit(`${org.origin}/jobs/1`)],
        },
        { origin: org.origin },
      ),
    );
    await expectRefusalOf(reply, 'visitor.id');
  });

  it('takes a well-formed pair of surrogates (an emoji) and U+FFFD as they are', async () => {
    const org = await createOrg();
    const id = 'cand-😀-\ufffd';
    const sent = await api('POST', '/v1/engagements', org.keys.user, {
      engagements: [engagement({ candidateId: id })],
    });
    expect(sent.status).toBe(202);
    const found = await api('GET', `/v1/candidates/${encodeURIComponent(id)}/score`, org.keys.user);
    expect(found.status).toBe(200);
  });
});

describe('a percent-escape that is not UTF-8 in a URL', () => {
  it('refuses a path id, naming the parameter, on a write and on a read, and writes nothing', async () => {
    const org = await createOrg();
    const put = await writesNothing(org, () =>
      api('PUT', `/v1/candidates/${LONE_IN_URL}/tags`, org.keys.user, { tags: ['java'] }),
    );
    const error = await expectRefusalOf(put, 'candidateId');
    expect(error.message).toContain('UTF-8');
    const purge = await writesNothing(org, () =>
      api('DELETE', `/v1/candidates/${LONE_IN_URL}`, org.keys.admin),
    );
    await expectRefusalOf(purge, 'candidateId');
    for (const id of ['%FF', 'a%C0%AF', '%E2%82', LONE_IN_URL]) {
      const read = await api('GET', `/v1/candidates/${id}/score`, org.keys.user);
      await expectRefusalOf(read, 'candidateId');
    }
    const key = await api('DELETE', `/v1/keys/${LONE_IN_URL}`, org.keys.manager);
    await expectRefusalOf(key, 'id');
    const open = await request(`/v1/o/${LONE_IN_URL}`);
    await expectRefusalOf(open, 'token');
  });

  it('refuses a query value, naming the parameter, and a parameter name that is not UTF-8', async () => {
    const org = await createOrg();
    const from = await api(
      'GET',
      `/v1/candidates/cand-1/engagements?from=${LONE_IN_URL}`,
      org.keys.user,
    );
    await expectRefusalOf(from, 'from');
    const tags = await api(
      'GET',
      `/v1/audiences?tier=engaged&tags=java,${LONE_IN_URL}`,
      org.keys.reporter,
    );
    await expectRefusalOf(tags, 'tags');
    const name = await api('GET', '/v1/audiences?%FF=1', org.keys.reporter);
    const error = await expectRefusalOf(name, '%FF');
    expect(error.issues?.[0]?.message).toContain('parameter name');
    const script = await request(`/t.js?site=${LONE_IN_URL}`);
    await expectRefusalOf(script, 'site');
  });

  it('still takes a stray % and escapes that are UTF-8', async () => {
    const org = await createOrg();
    // `%25` is a percent sign; `%zz` and a lone `%` are taken as plain characters, as before.
    for (const id of ['100%25', 'a%zz', 'caf%C3%A9', '%F0%9F%98%80']) {
      const reply = await api('GET', `/v1/candidates/${id}/score`, org.keys.user);
      expect(reply.status, id).toBe(404);
    }
    const query = await api('GET', '/v1/audiences?tags=caf%C3%A9&tagMatch=any', org.keys.reporter);
    expect(query.status).toBe(200);
  });

  it('leaves an unknown path a 404, whatever its escapes', async () => {
    const reply = await request('/v1/nothing-here/%FF');
    expect(reply.status).toBe(404);
    expect((await errorOf(reply)).code).toBe('not_found');
  });
});
