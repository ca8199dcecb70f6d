// Whether a reply is the refusal the API documents: the error body of the operation's documented
// response for that status (validated against the OpenAPI document's own schema), a code of
// ERROR_STATUS (@cxm/edge-api/errors: "every code the API can answer") with that code's status, a
// status the operation documents, and the refusal the entry expects. Problems are short phrases,
// so that thousands of requests fail as a few groups.
import { ERROR_STATUS } from '@cxm/edge-api/errors';
import type { HostileRequest } from '../hostile-corpus.js';
import type { Outcome } from './send.js';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  additionalProperties?: boolean | Schema;
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  parameters?: unknown[];
  requestBody?: unknown;
  security?: unknown[];
}

export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every operation in the document, as `METHOD /path`. */
export function operations(doc: OpenApi): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (HTTP_METHODS.has(method)) out.set(`${method.toUpperCase()} ${path}`, operation);
    }
  }
  return out;
}

/** Operations that take anything from a request: parameters, a body or an API key. */
export function requestTaking(doc: OpenApi): string[] {
  return [...operations(doc)]
    .filter(
      ([, op]) =>
        (op.parameters?.length ?? 0) > 0 || op.requestBody || (op.security?.length ?? 0) > 0,
    )
    .map(([name]) => name);
}

/** JSON-schema subset the document uses for errors; the first mismatch, or null. */
function mismatch(doc: OpenApi, schema: Schema, value: unknown, at: string): string | null {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    return target ? mismatch(doc, target, value, at) : `unresolved ${schema.$ref}`;
  }
  if (schema.enum && !schema.enum.includes(value)) return `${at || 'body'} is not one of its enum`;
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (
    schema.type &&
    !(schema.type === kind || (schema.type === 'integer' && Number.isInteger(value)))
  ) {
    return `${at || 'body'} is ${kind}, not ${schema.type}`;
  }
  if (kind === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) return `${at ? `${at}.` : ''}${key} is missing`;
    }
    for (const [key, child] of Object.entries(record)) {
      const sub = schema.properties?.[key];
      const path = at ? `${at}.${key}` : key;
      if (sub) {
        const found = mismatch(doc, sub, child, path);
        if (found) return found;
      } else if (schema.additionalProperties === false) return `${path} is not documented`;
    }
  }
  if (kind === 'array' && schema.items) {
    for (const [index, child] of (value as unknown[]).entries()) {
      const found = mismatch(doc, schema.items, child, `${at}.${index}`);
      if (found) return found;
    }
  }
  return null;
}

/** Extra methods a path routes beyond its documented operations, documented in the README. */
const UNDOCUMENTED_METHODS: Record<string, readonly string[]> = {
  // The CORS preflight (README "POST /v1/collect": "OPTIONS /v1/collect answers 204 ...").
  '/v1/collect': ['OPTIONS'],
};

export function problems(doc: OpenApi, entry: HostileRequest, outcome: Outcome): string[] {
  if (!outcome.ok) return [`no reply (${outcome.error})`];
  const { status, headers, text } = outcome.reply;
  const out: string[] = [];
  if (status >= 500) out.push(`server error ${status}`);
  if (status < 400) out.push(`accepted with ${status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...out, `reply is not JSON (${headers['content-type'] ?? 'no content type'})`];
  }
  if (!(headers['content-type'] ?? '').startsWith('application/json')) {
    out.push(`reply is not labelled JSON (${headers['content-type'] ?? 'no content type'})`);
  }
  const ops = operations(doc);
  const operation = ops.get(entry.operation);
  // The schema of the operation's documented response for this status, else the Error schema.
  const documented = operation?.responses?.[String(status)]?.content?.['application/json']?.schema;
  const schema = documented ?? { $ref: '#/components/schemas/Error' };
  const wrongShape = mismatch(doc, schema, body, '');
  if (wrongShape) out.push(`not the documented error body (${wrongShape})`);
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : '(none)';
  const codeStatus = (ERROR_STATUS as Record<string, number>)[code];
  if (codeStatus === undefined) out.push(`code ${code} is not a documented error code`);
  else if (codeStatus !== status)
    out.push(`code ${code} with status ${status}, documented as ${codeStatus}`);
  if (operation) {
    if (!operation.responses?.[String(status)])
      out.push(`status ${status} is not documented for ${entry.operation}`);
  } else {
    const path = entry.operation.split(' ')[1] ?? '';
    const item = doc.paths[path];
    if (!item) out.push(`${entry.operation} is on no documented path`);
    else {
      // Not an operation: the method is wrong, and `Allow` must name exactly the path's methods.
      const expected = [
        ...Object.keys(item)
          .filter((m) => HTTP_METHODS.has(m))
          .map((m) => m.toUpperCase()),
        ...(UNDOCUMENTED_METHODS[path] ?? []),
      ].sort();
      const allow = (headers.allow ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean)
        .sort();
      if (allow.join() !== expected.join())
        out.push(`Allow "${headers.allow ?? ''}" is not ${expected.join(', ')}`);
    }
  }
  if (status !== entry.expect.status || code !== entry.expect.code) {
    out.push(`expected ${entry.expect.status} ${entry.expect.code}, got ${status} ${code}`);
  }
  // A refused link token redirects nowhere (README "Tracked email links").
  if (headers.location !== undefined) out.push('a refusal with a Location header');
  return out;
}

export interface Failure {
  entry: HostileRequest;
  problem: string;
  outcome: Outcome;
}

const clip = (value: string, n: number) => (value.length > n ? `${value.slice(0, n)}…` : value);

/** Failures grouped by category, status and problem, largest first, with a few examples each. */
export function summary(failures: readonly Failure[], examples = 3): string {
  const groups = new Map<string, Failure[]>();
  for (const failure of failures) {
    const status = failure.outcome.ok ? failure.outcome.reply.status : 'no reply';
    const key = `${failure.entry.category} | ${status} | ${failure.problem}`;
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  const lines = [`${failures.length} problems in ${groups.size} groups:`];
  for (const [key, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${list.length} × ${key}`);
    for (const { entry, outcome } of list.slice(0, examples)) {
      const reply = outcome.ok ? clip(outcome.reply.text.replace(/\s+/g, ' '), 160) : outcome.error;
      lines.push(
        `      #${entry.id} ${entry.label}: ${entry.method} ${clip(entry.url, 100)} → ${reply}`,
      );
    }
  }
  return lines.join('\n');
}
