// The `/docs` page: Scalar's API reference over the OpenAPI document, everything from the worker's
// own origin (the page, Scalar's script, its settings, the document), so it works offline. No
// inline script: the settings are a script of their own (`/docs/init.js`).

export const DOCS_PATHS = {
  page: '/docs',
  scalar: '/docs/scalar.js',
  init: '/docs/init.js',
} as const;

/**
 * Scalar's settings. Off: its web fonts (fonts.scalar.com), telemetry and the AI agent, which
 * would call scalar.com, and its developer toolbar (shown on localhost; it offers Scalar's hosted
 * services); no `proxyUrl`, so "Test request" calls this API directly.
 */
export function scalarSettings(documentUrl: string) {
  return {
    url: documentUrl,
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    documentDownloadType: 'json',
    showDeveloperTools: 'never',
    theme: 'default',
  };
}

export function initScript(documentUrl: string): string {
  return `Scalar.createApiReference('#app', ${JSON.stringify(scalarSettings(documentUrl))});\n`;
}

export function docsPage(title: string, documentUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} reference</title></head>
<body><noscript>The reference needs JavaScript. The OpenAPI document itself:
<a href="${documentUrl}">${documentUrl}</a>.</noscript>
<div id="app"></div>
<script src="${DOCS_PATHS.scalar}"></script>
<script src="${DOCS_PATHS.init}"></script>
</body></html>
`;
}

/**
 * The docs page only: scripts from this origin alone (no eval), requests to this origin alone.
 * Scalar's Vue components set inline styles and inject a style sheet at run time, which hashes
 * cannot cover, hence `'unsafe-inline'` for styles (never for scripts). Its icons and logos are
 * inline SVG or data: URLs.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
