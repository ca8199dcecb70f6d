// Test helpers: requests against the app with the test environment, and beacons to send.
import { env } from 'cloudflare:workers';
import type { BeaconPayload } from '@cxm/tracker/wire';
import { createApp } from '../app.js';
import { hashApiKey } from '../auth/api-keys.js';
import type { Bindings } from '../env.js';

export const app = createApp();

export const DEMO_ORIGIN = 'http://localhost:8080';
export const OTHER_ORIGIN = 'http://localhost:8081';
export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';

/** A random id in the tracker's format. */
export function rid(prefix = 'id'): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`.slice(0, 40);
}

export function request(path: string, init: RequestInit = {}, bindings: Partial<Bindings> = {}) {
  return app.request(`http://api.test${path}`, init, { ...env, ...bindings });
}

export interface BeaconOptions {
  origin?: string | null;
  userAgent?: string;
  contentType?: string;
  bindings?: Partial<Bindings>;
}

export function sendBeacon(body: unknown, options: BeaconOptions = {}) {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'text/plain;charset=UTF-8',
    'user-agent': options.userAgent ?? BROWSER_UA,
  };
  const origin = options.origin === undefined ? DEMO_ORIGIN : options.origin;
  if (origin !== null) headers.origin = origin;
  return request(
    '/v1/collect',
    { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) },
    options.bindings,
  );
}

export function beacon(overrides: Partial<BeaconPayload> = {}): BeaconPayload {
  return {
    v: 1,
    site: 'pk_demo',
    visitor: { id: rid('v'), kind: 'stored' },
    events: [visit()],
    ...overrides,
  };
}

export function visit(url = `${DEMO_ORIGIN}/jobs/engineer`, at = Date.now()) {
  return { id: rid('e'), type: 'visit_landing_page' as const, url, at };
}

export function formSubmit(form = 'apply', url = `${DEMO_ORIGIN}/jobs/engineer`, at = Date.now()) {
  return { id: rid('e'), type: 'submit_form' as const, url, form, at };
}

export function postJson(path: string, body: unknown, key?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  return request(path, { method: 'POST', headers, body: JSON.stringify(body) });
}

export function engagement(overrides: Record<string, unknown> = {}) {
  return {
    id: rid('evt'),
    candidateId: rid('cand'),
    type: 'attend_event',
    detail: 'Spring hiring fair',
    occurredAt: new Date(Date.now() - 3600_000).toISOString(),
    ...overrides,
  };
}

/** Rows of one table, queried directly. */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]) {
  const result = await env.DB.prepare(sql)
    .bind(...params)
    .all<T>();
  return result.results;
}

export async function errorOf(response: Response) {
  const body = (await response.json()) as {
    error: {
      code: string;
      message: string;
      issues?: { path: string; code: string; message: string }[];
    };
  };
  return body.error;
}

/** A JSON request with an API key. */
export function api(
  method: string,
  path: string,
  key?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const all: Record<string, string> = { ...headers };
  if (key) all.authorization = `Bearer ${key}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  return request(path, {
    method,
    headers: all,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function json<T = Record<string, unknown>>(response: Response | Promise<Response>) {
  return (await (await response).json()) as T;
}

export interface TestOrg {
  orgId: string;
  siteKey: string;
  origin: string;
  keys: Record<'user' | 'reporter' | 'manager' | 'admin', string>;
}

/**
 * A fresh organisation of its own (site with tracking on, one key per role), so a test that
 * counts or changes organisation-wide things is not disturbed by other tests.
 */
export async function createOrg(options: { trackingEnabled?: boolean } = {}): Promise<TestOrg> {
  const orgId = rid('org').toLowerCase();
  const siteKey = rid('pk');
  const origin = 'https://careers.example.com';
  const keys = {
    user: rid('sk_user'),
    reporter: rid('sk_reporter'),
    manager: rid('sk_manager'),
    admin: rid('sk_admin'),
  };
  const statements = [
    env.DB.prepare('INSERT INTO organisations (id, name) VALUES (?, ?)').bind(
      orgId,
      `Test ${orgId}`,
    ),
    env.DB.prepare(
      'INSERT INTO sites (id, org_id, public_key, allowed_origins, tracking_enabled) VALUES (?, ?, ?, ?, ?)',
    ).bind(
      `site_${orgId}`,
      orgId,
      siteKey,
      JSON.stringify([origin]),
      options.trackingEnabled === false ? 0 : 1,
    ),
  ];
  for (const [role, secret] of Object.entries(keys)) {
    statements.push(
      env.DB.prepare(
        'INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role) VALUES (?, ?, ?, ?, ?, ?)',
      ).bind(
        `key_${orgId}_${role}`,
        orgId,
        role,
        secret.slice(0, 8),
        await hashApiKey(secret),
        role,
      ),
    );
  }
  await env.DB.batch(statements);
  return { orgId, siteKey, origin, keys };
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Sends engagements for one candidate (occurredAt as ms ago from now). */
export async function sendEngagements(
  key: string,
  candidateId: string,
  items: { type: string; ago: number; detail?: string; machine?: boolean }[],
) {
  const response = await postJson(
    '/v1/engagements',
    {
      engagements: items.map((item) => ({
        id: rid('evt'),
        candidateId,
        type: item.type,
        detail: item.detail ?? `${item.type} detail ${rid('d')}`,
        occurredAt: new Date(Date.now() - item.ago).toISOString(),
        ...(item.machine === undefined ? {} : { machine: item.machine }),
      })),
    },
    key,
  );
  if (response.status !== 202)
    throw new Error(`engagements: ${response.status} ${await response.text()}`);
}

/**
 * How many rows `orgId` has in every table with an `org_id` column, as `{ table: count }`: equal
 * before and after a refused request when it wrote nothing.
 */
export async function orgFootprint(orgId: string): Promise<Record<string, number>> {
  const tables = await rows<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%org_id%' ORDER BY name",
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await rows<{ n: number }>(
      `SELECT count(*) AS n FROM "${name}" WHERE org_id = ?`,
      orgId,
    );
    counts[name] = row?.n ?? 0;
  }
  return counts;
}
