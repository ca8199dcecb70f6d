// `/docs`: the API reference as one self-contained HTML page rendered from the OpenAPI document
// (no script, no CDN, no external request), with a CSP that allows only its own inline style by
// hash, so it works offline and under the strictest policy.
import { base64, sha256 } from '../utils/encoding.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1,h2,h3{line-height:1.2}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
section.op{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:ui-monospace,monospace}
.get{color:#0969da}.post{color:#1a7f37}.put{color:#9a6700}.delete{color:#cf222e}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f6f8fa;padding:.6rem;overflow:auto;border-radius:4px}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
.role{font-size:12px;background:#ddf4ff;border-radius:3px;padding:0 .4rem;margin-left:.5rem}nav a{margin-right:1rem}`;

function esc(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Inline `code` from the descriptions' Markdown; everything else stays text. */
function prose(text: string | undefined): string {
  if (!text) return '';
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function anchor(name: string): string {
  return `schema-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** A schema as indented JSON, `$ref`s turned into links to the components below. */
function schemaHtml(schema: Json | undefined): string {
  if (schema === undefined) return '';
  const text = esc(JSON.stringify(schema, null, 2));
  return `<pre>${text.replace(
    /&quot;\$ref&quot;: &quot;#\/components\/schemas\/([^&]+)&quot;/g,
    (_, name: string) => `&quot;$ref&quot;: <a href="#${anchor(name)}">${name}</a>`,
  )}</pre>`;
}

function operationHtml(method: string, path: string, op: Obj): string {
  const security = (op.security as Obj[] | undefined)?.[0]?.apiKey as string[] | undefined;
  const role = security ? `<span class="role">API key: ${esc(security[0] ?? 'any')}</span>` : '';
  const params = (op.parameters as Obj[] | undefined) ?? [];
  const paramRows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(String(p.name))}</code></td><td>${esc(String(p.in))}${
          p.required ? ', required' : ''
        }</td><td>${prose((p.description as string) ?? '')}<br>${schemaHtml(p.schema)}</td></tr>`,
    )
    .join('');
  const body = ((op.requestBody as Obj | undefined)?.content as Obj | undefined) ?? {};
  const bodyHtml = Object.entries(body)
    .map(([type, media]) => `<h4>Body (${esc(type)})</h4>${schemaHtml((media as Obj).schema)}`)
    .join('');
  const responses = Object.entries((op.responses as Obj | undefined) ?? {})
    .map(([status, response]) => {
      const r = response as Obj;
      const content = Object.entries((r.content as Obj | undefined) ?? {})
        .map(([type, media]) => `<div>${esc(type)}</div>${schemaHtml((media as Obj).schema)}`)
        .join('');
      return `<tr><td>${esc(status)}</td><td>${prose(r.description as string)}${content}</td></tr>`;
    })
    .join('');
  return `<section class="op" id="${esc(`${method}-${path}`)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span><code>${esc(path)}</code>${role}</h3>
<p><strong>${prose(op.summary as string)}</strong></p><p>${prose(op.description as string)}</p>
${paramRows ? `<h4>Parameters</h4><table>${paramRows}</table>` : ''}${bodyHtml}
<h4>Responses</h4><table>${responses}</table></section>`;
}

export function renderDocs(doc: Obj): string {
  const info = doc.info as Obj;
  const groups = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths as Obj)) {
    for (const [method, op] of Object.entries(item as Obj)) {
      const tag = ((op as Obj).tags as string[] | undefined)?.[0] ?? 'Ingestion';
      const list = groups.get(tag) ?? [];
      list.push(operationHtml(method, path, op as Obj));
      groups.set(tag, list);
    }
  }
  const schemas = Object.entries(((doc.components as Obj | undefined)?.schemas as Obj) ?? {})
    .map(([name, schema]) => `<h3 id="${anchor(name)}">${esc(name)}</h3>${schemaHtml(schema)}`)
    .join('');
  const nav = [...groups.keys()]
    .map((tag) => `<a href="#${esc(anchor(tag))}">${esc(tag)}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(String(info.title))} reference</title><style>${STYLE}</style></head>
<body><h1>${esc(String(info.title))} <small>${esc(String(info.version))}</small></h1>
<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI ${esc(String(doc.openapi))}).</p>
<pre>${esc(String(info.description ?? ''))}</pre>
<nav>${nav}<a href="#schemas">Schemas</a></nav>
${[...groups.entries()]
  .map(([tag, ops]) => `<h2 id="${esc(anchor(tag))}">${esc(tag)}</h2>${ops.join('\n')}`)
  .join('\n')}
<h2 id="schemas">Schemas</h2>${schemas}
</body></html>`;
}

export async function docsCsp(): Promise<string> {
  const hash = base64(await sha256(STYLE));
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
