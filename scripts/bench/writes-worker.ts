// The Worker that does the inserts for the writes benchmark, as ES module source for Miniflare.
// The loops must run inside workerd, next to the D1 binding, as the edge API's writers do: driven
// from Node (getPlatformProxy), every prepare() and bind() is a synchronous round trip to workerd
// of its own (3 to 5 ms each on this machine), which would be measured instead of D1.
//
// POST /rows stores the next run's rows (so generating and parsing them is not timed);
// POST /run?method=single|batch|multi&size=<n> inserts them and answers { changes, statements }.

/** Engagement columns in insert order: every one bound, as drizzle's inserts bind them. */
export const COLUMNS = [
  'id',
  'org_id',
  'candidate_id',
  'visitor_id',
  'site_id',
  'type',
  'detail',
  'occurred_at',
  'received_at',
  'source',
  'machine',
  'event_key',
] as const;

export type Row = (string | number | null)[];

/** D1 refuses statements with more than 100 bound parameters: 8 rows of 12 (96) per INSERT. */
export const MAX_BOUND_PARAMETERS = 100;
export const ROWS_PER_INSERT = Math.floor(MAX_BOUND_PARAMETERS / COLUMNS.length);

export type Method = 'single' | 'batch' | 'multi';

export interface RunReply {
  /** Rows written, as D1 reported them. */
  changes: number;
  /** Statements sent. */
  statements: number;
}

export const WORKER_SOURCE = `
const COLUMNS = ${JSON.stringify(COLUMNS)};
const ROWS_PER_INSERT = ${ROWS_PER_INSERT};
const group = '(' + COLUMNS.map(() => '?').join(', ') + ')';
const insert = (rows) =>
  'INSERT INTO engagements (' + COLUMNS.join(', ') + ') VALUES ' +
  Array.from({ length: rows }, () => group).join(', ');

const chunks = (items, size) => {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

let pending = [];

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/rows') {
      pending = await request.json();
      return Response.json({ rows: pending.length });
    }
    const rows = pending;
    pending = [];
    const method = url.searchParams.get('method');
    const size = Number(url.searchParams.get('size'));
    const one = env.DB.prepare(insert(1));
    let changes = 0;
    let statements = 0;
    const count = (results) => {
      for (const result of results) changes += result.meta.changes;
    };
    if (method === 'single') {
      // One statement, one awaited round trip, per row.
      for (const row of rows) {
        count([await one.bind(...row).run()]);
        statements++;
      }
    } else if (method === 'batch') {
      // size single-row statements per batch (one transaction, one round trip).
      for (const part of chunks(rows, size)) {
        count(await env.DB.batch(part.map((row) => one.bind(...row))));
        statements += part.length;
      }
    } else if (method === 'multi') {
      // size rows per batch, as multi-row INSERTs of at most ROWS_PER_INSERT rows each.
      for (const part of chunks(rows, size)) {
        const inserts = chunks(part, ROWS_PER_INSERT).map((group) =>
          env.DB.prepare(insert(group.length)).bind(...group.flat()),
        );
        count(await env.DB.batch(inserts));
        statements += inserts.length;
      }
    } else {
      return new Response('unknown method', { status: 400 });
    }
    return Response.json({ changes, statements });
  },
};
`;
