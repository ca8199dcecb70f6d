// The page a person gets at `/`: where the console, the API reference and the health check are.
// It borrows the console's stylesheet and icon (same origin), so the console's CSP fits it.

const LINKS = [
  { href: '/console', text: 'Recruiter console', hint: 'sign in with your organisation' },
  { href: '/docs', text: 'API reference', hint: 'every endpoint, with examples' },
  { href: '/v1/openapi.json', text: 'OpenAPI document', hint: 'the same, machine-readable' },
  { href: '/healthz', text: 'Health check', hint: 'the worker and its database' },
] as const;

export function landingPage(): string {
  const items = LINKS.map(
    (link) =>
      `<li><a href="${link.href}">${link.text}</a> <span class="hint">${link.hint}</span></li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>cxm</title>
<link rel="icon" href="/console/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/assets/console.css"></head>
<body><main><div class="card">
<h1>cxm</h1>
<p>Candidate engagement: career-site tracking, engagement scores and tiers for recruiters.</p>
<ul>
${items}
</ul>
</div></main></body></html>
`;
}
