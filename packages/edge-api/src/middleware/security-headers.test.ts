import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, app, createOrg, json, request } from '../test/client.js';

/** The same request over https, as a deployment gets it. */
function overHttps(path: string) {
  return app.request(`https://api.test${path}`, {}, env);
}

/** A CSP as `{ directive: value }`. */
function directives(csp: string | null): Record<string, string> {
  return Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name = '', ...values] = part.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

describe('headers every reply carries', () => {
  it('says nosniff on JSON replies, refusals and unknown paths included, and on the others', async () => {
    const org = await createOrg();
    for (const reply of [
      await api('GET', '/v1/whoami', org.keys.user),
      await api('GET', '/v1/whoami'),
      await api('POST', '/v1/engagements', org.keys.user, { engagements: [] }),
      await request('/v1/no-such-thing'),
      await request('/healthz'),
      await request('/t.js'),
    ]) {
      expect(reply.headers.get('x-content-type-options'), reply.url).toBe('nosniff');
    }
  });
});

describe('replies that carry a secret', () => {
  it('are never stored: a new API key', async () => {
    const org = await createOrg();
    const created = await api('POST', '/v1/keys', org.keys.manager, { name: 'ATS', role: 'user' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('x-content-type-options')).toBe('nosniff');
    // Lists and reads carry no secret and keep the default.
    expect(
      (await api('GET', '/v1/keys', org.keys.manager)).headers.get('cache-control'),
    ).toBeNull();
  });

  it('are never stored: a new webhook secret', async () => {
    const org = await createOrg();
    const reply = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      webhookUrl: 'https://hooks.example.com/cxm',
    });
    expect(reply.status).toBe(200);
    expect((await reply.clone().json()) as object).toHaveProperty('webhookSecret');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const rotated = await api('PUT', '/v1/settings/engagement', org.keys.manager, {
      rotateWebhookSecret: true,
    });
    expect(rotated.headers.get('cache-control')).toBe('no-store');
  });

  it('are documented so in the OpenAPI document', async () => {
    type Doc = {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    const doc = await json<Doc>(request('/v1/openapi.json'));
    expect(doc.paths['/v1/keys']?.post?.responses['201']?.headers).toHaveProperty('Cache-Control');
    expect(doc.paths['/v1/settings/engagement']?.put?.responses['200']?.headers).toHaveProperty(
      'Cache-Control',
    );
  });
});

describe('pages people open: the console and /docs', () => {
  for (const path of ['/console', '/docs']) {
    it(`${path}: a CSP without inline scripts that forbids framing, nosniff, a referrer policy`, async () => {
      const reply = await request(path);
      expect(reply.status).toBe(200);
      const csp = directives(reply.headers.get('content-security-policy'));
      expect(csp['script-src']).toBe("'self'");
      expect(csp['frame-ancestors']).toBe("'none'");
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('referrer-policy')).toBe('same-origin');
    });

    it(`${path}: Strict-Transport-Security over https only`, async () => {
      expect((await request(path)).headers.get('strict-transport-security')).toBeNull();
      const secure = await overHttps(path);
      expect(secure.status).toBe(200);
      expect(secure.headers.get('strict-transport-security')).toMatch(
        /^max-age=\d{8,}; includeSubDomains$/,
      );
    });
  }
});
