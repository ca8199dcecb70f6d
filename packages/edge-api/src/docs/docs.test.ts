import { describe, expect, it } from 'vitest';
import { request } from '../test/client.js';

/** Every `src`/`href` in the page, and every origin the CSP names. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
}

describe('GET /docs', () => {
  it("loads Scalar's API reference from the worker's own origin, nothing from anywhere else", async () => {
    const response = await request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('<script src="/docs/scalar.js"></script>');
    expect(html).toContain('<script src="/docs/init.js"></script>');
    // No inline script: every <script> has a src, and every reference is a path on this origin.
    expect(html.match(/<script\b/g)?.length).toBe(2);
    expect(html).not.toMatch(/<script>/);
    for (const ref of references(html)) expect(ref, ref).toMatch(/^\/[^/]/);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toMatch(/https?:|\*|unsafe-eval/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('points Scalar at /v1/openapi.json, with its fonts, telemetry and AI agent off', async () => {
    const response = await request('/docs/init.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    const script = await response.text();
    const settings = JSON.parse(/createApiReference\('#app', (.*)\);/.exec(script)![1]!);
    expect(settings).toMatchObject({
      url: '/v1/openapi.json',
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
    });
    expect(settings.proxyUrl).toBeUndefined();
    expect((await request(settings.url)).status).toBe(200);
  });

  it("serves Scalar's standalone bundle itself", async () => {
    const response = await request('/docs/scalar.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    expect(response.headers.get('cache-control')).toContain('max-age=');
    const script = await response.text();
    expect(script.length).toBeGreaterThan(1_000_000);
    expect(script).toContain('createApiReference');
  });
});
