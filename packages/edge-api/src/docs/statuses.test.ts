// Every status an operation answers is in the OpenAPI document: the statuses of mechanisms
// shared by many routes are checked on every operation, from the document itself (so a new
// route is checked as soon as it exists), and each is provoked once per operation.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createOrg, errorOf, json, request } from '../test/client.js';

interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header' }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { headers?: Record<string, unknown> }>;
}

type Doc = { paths: Record<string, Record<string, Operation>> };

const WRITES = ['post', 'put', 'patch', 'delete'];

async function operations(): Promise<[name: string, path: string, method: string, Operation][]> {
  const doc = await json<Doc>(request('/v1/openapi.json'));
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, string, string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      path,
      method,
      operation,
    ]),
  );
}

/** Names of the operations for which `check` fails: empty when every operation passes. */
async function failing(check: (method: string, operation: Operation) => boolean) {
  return (await operations())
    .filter(([, , method, operation]) => !check(method, operation))
    .map(([name]) => name);
}

const lists = (operation: Operation, ...statuses: string[]) =>
  statuses.every((status) => status in operation.responses);

describe('the OpenAPI document lists the statuses shared mechanisms answer', () => {
  it('503 on every write (a guarded write that keeps losing races)', async () => {
    const writes = (await operations()).filter(([, , method]) => WRITES.includes(method));
    expect(writes.length).toBeGreaterThan(25);
    expect(await failing((method, op) => !WRITES.includes(method) || lists(op, '503'))).toEqual([]);
  });

  it('400 on every operation that takes a parameter or a body', async () => {
    expect(
      await failing(
        (_, op) => ((op.parameters?.length ?? 0) === 0 && !op.requestBody) || lists(op, '400'),
      ),
    ).toEqual([]);
  });

  it('413 and 415 on every operation that takes a body', async () => {
    expect(await failing((_, op) => !op.requestBody || lists(op, '413', '415'))).toEqual([]);
  });
});

/** `path` with each path parameter given its value. */
function urlOf(path: string, values: (name: string) => string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => values(name));
}

describe('each operation answers only statuses it documents', () => {
  it('for a parameter that is not UTF-8, a body of the wrong type, too large, or not well-formed', async () => {
    const org = await createOrg();
    const problems: string[] = [];
    for (const [name, path, method, operation] of await operations()) {
      const params = operation.parameters ?? [];
      const probes: [what: string, url: string, init: RequestInit][] = [];
      const pathParam = params.find((p) => p.in === 'path');
      const plain = urlOf(path, () => 'x');
      if (pathParam) {
        probes.push([
          `path ${pathParam.name}`,
          urlOf(path, (n) => (n === pathParam.name ? '%ED%A0%80lone' : 'x')),
          {},
        ]);
      }
      const queryParam = params.find((p) => p.in === 'query');
      if (queryParam)
        probes.push([`query ${queryParam.name}`, `${plain}?${queryParam.name}=%FF`, {}]);
      if (operation.requestBody) {
        const type = Object.keys(operation.requestBody.content)[0]!;
        probes.push(
          [
            'a body of the wrong type',
            plain,
            { headers: { 'content-type': 'application/xml' }, body: '<x/>' },
          ],
          [
            'a body of 2 MB',
            plain,
            { headers: { 'content-type': type }, body: `{"x":"${'a'.repeat(2 ** 21)}"}` },
          ],
          [
            'a lone surrogate in the body',
            plain,
            { headers: { 'content-type': type }, body: '{"x":"\\ud800lone"}' },
          ],
        );
      }
      for (const [what, url, init] of probes) {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${org.keys.admin}`);
        headers.set('origin', org.origin);
        const reply = await request(url, { ...init, method: method.toUpperCase(), headers });
        const expected = what.startsWith('a body of the wrong')
          ? 415
          : what.startsWith('a body of 2')
            ? 413
            : 400;
        if (reply.status !== expected) {
          problems.push(`${name}, ${what}: ${reply.status} ${await reply.text()}`);
        } else if (!(String(reply.status) in operation.responses)) {
          problems.push(`${name}, ${what}: ${reply.status} is not documented`);
        } else if (expected === 400) {
          const error = await errorOf(reply);
          const field = what.startsWith('a lone') ? 'x' : what.split(' ')[1];
          if (!error.issues?.some((issue) => issue.path === field)) {
            problems.push(`${name}, ${what}: no issue names ${field}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});

/** `db` whose batches all fail as a batch that lost its race to another write does. */
function contended(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, name) {
      if (name === 'batch') {
        return () => Promise.reject(new Error('D1_ERROR: stale_version: lost the race'));
      }
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

it('answers 503 with Retry-After, as documented, when a write keeps losing races', async () => {
  const org = await createOrg();
  const reply = await request(
    '/v1/candidates/cand-1/tags',
    {
      method: 'PUT',
      headers: { authorization: `Bearer ${org.keys.user}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tags: ['java'] }),
    },
    { DB: contended(env.DB) },
  );
  expect(reply.status).toBe(503);
  expect(reply.headers.get('retry-after')).toBe('1');
  expect((await errorOf(reply)).code).toBe('unavailable');
  const doc = await json<Doc>(request('/v1/openapi.json'));
  const documented = doc.paths['/v1/candidates/{candidateId}/tags']?.put?.responses['503'];
  expect(documented?.headers).toHaveProperty('Retry-After');
});
