import { describe, expect, it } from 'vitest';
import { request } from '../test/client.js';

describe('GET /docs', () => {
  it('renders every operation of the OpenAPI document as self-contained HTML under a strict CSP', async () => {
    const response = await request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    // No script, stylesheet, image or frame: nothing is fetched, nothing runs.
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    const doc = (await (await request('/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(html, `${method} ${path}`).toContain(
          `>${method.toUpperCase()}</span><code>${path}</code>`,
        );
        expect(html).toContain(op.summary.replaceAll('`', '').slice(0, 10));
      }
    }
    expect(html).toContain('API key: admin');
    // The style block is exactly what the CSP hash allows.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(style));
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(csp).toContain(`'sha256-${hash}'`);
  });
});
