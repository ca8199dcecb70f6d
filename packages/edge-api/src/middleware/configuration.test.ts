// Safe by default: a deployment without a required secret, or with a value or flag published for
// local development, refuses every request (503 `misconfigured`, naming the setting) and runs no
// cron or queue work; local development with the development values serves. What counts as
// local development is configuration (ENVIRONMENT), never anything a request carries.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bindings } from '../env.js';
import worker from '../index.js';
import { app, request } from '../test/client.js';

/** A deployment as `pnpm run deploy` makes it: wrangler.jsonc's vars and real secrets. */
const PRODUCTION: Partial<Bindings> = {
  ENVIRONMENT: 'production',
  ALLOW_LOCAL_WEBHOOKS: 'false',
  LOCAL_DEMO: 'false',
  TOKEN_SECRET: 'Yq3v9aWm1xQ7cT2nL8rB5kE0pZ4sH6jU-real-token-secret',
  SECRETS_KEY: 'Rk8fN2wV5tC1xJ7mQ3bL9hP0sD4gA6eY-real-secrets-key',
  PUBLIC_ORIGIN: 'https://cxm.example.com',
};

/** The values wrangler.jsonc `vars` shipped before, and .dev.vars holds now. */
const DEVELOPMENT = {
  ENVIRONMENT: 'development',
  TOKEN_SECRET: 'dev-only-token-secret-do-not-use-in-production',
  SECRETS_KEY: 'dev-only-secrets-key-do-not-use-in-production',
  ALLOW_LOCAL_WEBHOOKS: 'true',
  LOCAL_DEMO: 'true',
};

// The refusals are logged for the operator (once per bindings object); not in the test output.
beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

interface Refusal {
  error: { code: string; message: string; issues: { path: string; code: string }[] };
}

async function refusal(response: Response): Promise<Refusal> {
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as Refusal;
  expect(body.error.code).toBe('misconfigured');
  return body;
}

/** `/healthz`, an API route with a valid key, the console and an unknown path. */
function everyKind(bindings: Partial<Bindings>) {
  return Promise.all([
    request('/healthz', {}, bindings),
    request('/v1/whoami', { headers: { authorization: 'Bearer sk_demo_user' } }, bindings),
    request('/console', {}, bindings),
    request('/no/such/path', {}, bindings),
  ]);
}

describe('a deployment refuses to serve', () => {
  it('when a required secret is missing: 503 on /healthz and on API routes, naming it', async () => {
    for (const missing of ['TOKEN_SECRET', 'SECRETS_KEY', 'PUBLIC_ORIGIN'] as const) {
      for (const response of await everyKind({ ...PRODUCTION, [missing]: undefined })) {
        const body = await refusal(response);
        expect(body.error.message).toContain(`${missing} is not set`);
        expect(body.error.issues).toEqual([
          expect.objectContaining({ path: missing, code: 'missing' }),
        ]);
      }
    }
    // An empty value is as good as none.
    const empty = await refusal(await request('/healthz', {}, { ...PRODUCTION, TOKEN_SECRET: '' }));
    expect(empty.error.issues.map((issue) => issue.path)).toEqual(['TOKEN_SECRET']);
  });

  it('with every problem named at once', async () => {
    const none = { TOKEN_SECRET: undefined, SECRETS_KEY: undefined, PUBLIC_ORIGIN: undefined };
    const body = await refusal(await request('/healthz', {}, { ...PRODUCTION, ...none }));
    expect(body.error.issues.map((issue) => issue.path)).toEqual([
      'TOKEN_SECRET',
      'SECRETS_KEY',
      'PUBLIC_ORIGIN',
    ]);
    for (const name of ['TOKEN_SECRET', 'SECRETS_KEY', 'PUBLIC_ORIGIN']) {
      expect(body.error.message).toContain(name);
    }
  });

  it('when a secret is a development value', async () => {
    for (const name of ['TOKEN_SECRET', 'SECRETS_KEY'] as const) {
      for (const response of await everyKind({ ...PRODUCTION, [name]: DEVELOPMENT[name] })) {
        const body = await refusal(response);
        expect(body.error.issues).toEqual([
          expect.objectContaining({ path: name, code: 'development_value' }),
        ]);
        // The message names the setting, never its value.
        expect(body.error.message).toContain(name);
        expect(body.error.message).not.toContain(DEVELOPMENT[name]);
      }
    }
    const previous = await refusal(
      await request(
        '/healthz',
        {},
        { ...PRODUCTION, SECRETS_KEY_PREVIOUS: DEVELOPMENT.SECRETS_KEY },
      ),
    );
    expect(previous.error.issues.map((issue) => issue.path)).toEqual(['SECRETS_KEY_PREVIOUS']);
  });

  it('when a development-only flag is on', async () => {
    for (const flag of ['ALLOW_LOCAL_WEBHOOKS', 'LOCAL_DEMO'] as const) {
      for (const value of ['true', '1']) {
        const body = await refusal(await request('/healthz', {}, { ...PRODUCTION, [flag]: value }));
        expect(body.error.issues).toEqual([
          expect.objectContaining({ path: flag, code: 'development_only' }),
        ]);
      }
    }
  });

  it('when PUBLIC_ORIGIN or the provider is not public https (the development stand-ins)', async () => {
    for (const origin of ['http://127.0.0.1:8787', 'https://localhost', 'not a url']) {
      const body = await refusal(
        await request('/healthz', {}, { ...PRODUCTION, PUBLIC_ORIGIN: origin }),
      );
      expect(body.error.issues).toEqual([
        expect.objectContaining({ path: 'PUBLIC_ORIGIN', code: 'invalid' }),
      ]);
    }
    const provider = await refusal(
      await request('/healthz', {}, { ...PRODUCTION, TWILIO_API_BASE: 'http://127.0.0.1:8791' }),
    );
    expect(provider.error.issues.map((issue) => issue.path)).toEqual(['TWILIO_API_BASE']);
  });

  it('whatever the request says: Host, forwarding headers, a query or a cookie cannot make it local', async () => {
    const bindings = { ...PRODUCTION, TOKEN_SECRET: DEVELOPMENT.TOKEN_SECRET, LOCAL_DEMO: 'true' };
    const spoofs: [string, Record<string, string>][] = [
      ['http://127.0.0.1:8787/healthz', {}],
      ['http://localhost:8787/healthz?ENVIRONMENT=development', {}],
      [
        'https://cxm.example.com/healthz',
        {
          host: 'localhost:8787',
          'x-forwarded-host': '127.0.0.1',
          'cf-connecting-ip': '127.0.0.1',
          environment: 'development',
          cookie: 'ENVIRONMENT=development',
        },
      ],
    ];
    for (const [url, headers] of spoofs) {
      await refusal(await app.request(url, { headers }, { ...env, ...bindings }));
    }
  });

  it('and runs neither the cron nor the queue consumers', async () => {
    const misconfigured = { ...env, ...PRODUCTION, TOKEN_SECRET: undefined } as unknown as Bindings;
    const waited: Promise<unknown>[] = [];
    const ctx = {
      waitUntil: (promise: Promise<unknown>) => waited.push(promise),
      passThroughOnException: () => {},
      props: {},
    } as unknown as ExecutionContext;
    const controller = { cron: '*/10 * * * *', scheduledTime: Date.now(), noRetry: () => {} };
    await worker.scheduled(controller as ScheduledController, misconfigured, ctx);
    expect(waited).toEqual([]);

    const handed: string[] = [];
    const batch = {
      queue: 'cxm-messages',
      messages: [],
      retryAll: () => handed.push('retryAll'),
      ackAll: () => handed.push('ackAll'),
    } as unknown as MessageBatch<never>;
    await worker.queue(batch, misconfigured);
    expect(handed).toEqual(['retryAll']);
  });
});

describe('a deployment that is configured serves', () => {
  it('with real secrets, its public origin and the flags off', async () => {
    const [health, whoami, consolePage, unknown] = await everyKind(PRODUCTION);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, db: true });
    expect(whoami.status).toBe(200);
    expect(consolePage.status).toBeLessThan(500);
    expect(unknown.status).toBe(404);
  });
});

describe('local development', () => {
  it('serves with the development values and flags', async () => {
    const [health, whoami, consolePage] = await everyKind(DEVELOPMENT);
    expect(health.status).toBe(200);
    expect(whoami.status).toBe(200);
    expect(consolePage.status).toBeLessThan(500);
  });

  it('needs no PUBLIC_ORIGIN, but still its secrets', async () => {
    const local = { ...DEVELOPMENT, PUBLIC_ORIGIN: undefined };
    expect((await request('/healthz', {}, local)).status).toBe(200);
    const body = await refusal(
      await request('/healthz', {}, { ...local, TOKEN_SECRET: undefined }),
    );
    expect(body.error.issues.map((issue) => issue.path)).toEqual(['TOKEN_SECRET']);
  });
});
