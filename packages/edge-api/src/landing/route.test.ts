import { describe, expect, it } from 'vitest';
import { request } from '../test/client.js';
import { wantsHtml } from './route.js';

describe('GET /', () => {
  it('gives a browser a page linking to the console, the docs and the health check', async () => {
    const response = await request('/', {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('vary')).toBe('Accept');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    for (const href of ['/console', '/docs', '/healthz', '/v1/openapi.json']) {
      expect(html).toContain(`<a href="${href}">`);
    }
    // Its stylesheet is the console's, which exists.
    expect(html).toContain('href="/console/assets/console.css"');
    expect((await request('/console/assets/console.css')).status).toBe(200);
  });

  it('gives an API client the JSON 404, pointing at the reference', async () => {
    for (const accept of [undefined, 'application/json', '*/*']) {
      const headers: Record<string, string> = accept ? { accept } : {};
      const response = await request('/', { headers });
      expect(response.status, String(accept)).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.headers.get('vary')).toBe('Accept');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toContain('/docs');
    }
  });
});

describe('wantsHtml', () => {
  it('is true only when text/html is asked for and not refused', () => {
    expect(wantsHtml('text/html')).toBe(true);
    expect(wantsHtml('application/json, text/html;q=0.5')).toBe(true);
    expect(wantsHtml('text/html;q=0')).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });
});
