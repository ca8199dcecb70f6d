// Statuses the app answers for a whole kind of operation, from mechanisms outside the routes,
// added to the OpenAPI document here once rather than to each route's list (where a new route
// would forget them):
// - 400 on every operation that takes a path or query parameter: a value that is not UTF-8 once
//   percent-decoded (middleware/well-formed-url.ts, before the route's own checks);
// - 503 on every write (POST, PUT, PATCH, DELETE): a guarded write that kept losing races to
//   concurrent ones (`WriteContention`, db/retry.ts), with `Retry-After`;
// - 503 on every operation: the organisation's data is moving to another database
//   (`organisation_moving`, src/endpoints/ops/move.ts), with `Retry-After`.
// An operation that lists the status already keeps its own entry.

const WRITES = new Set(['post', 'put', 'patch', 'delete']);
const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

const BAD_PARAMETER = {
  description:
    'A parameter is invalid; a path or query value that is not UTF-8 once percent-decoded is always refused (see `error.issues`).',
  content: ERROR_CONTENT,
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
};

const MOVING =
  "the organisation's data is moving to another database (`organisation_moving`, a few seconds)";

const CONTENDED = {
  description: `Too many concurrent writes to the same records (\`unavailable\`), or ${MOVING}: nothing was written; retry after \`Retry-After\` seconds.`,
  headers: RETRY_AFTER,
  content: ERROR_CONTENT,
};

const MOVED = {
  description: `Unavailable for a moment: ${MOVING}; retry after \`Retry-After\` seconds.`,
  headers: RETRY_AFTER,
  content: ERROR_CONTENT,
};

interface Operation {
  parameters?: unknown[];
  responses?: Record<string, unknown>;
}

/** `doc` with the app-wide statuses added to each operation they apply to. */
export function withAppStatuses<Doc extends { paths?: object }>(doc: Doc): Doc {
  for (const item of Object.values(doc.paths ?? {}) as Record<string, Operation>[]) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation.responses) continue;
      // A new object: the generated one is not the route's own, but nothing here relies on it.
      const responses = { ...operation.responses };
      if ((operation.parameters?.length ?? 0) > 0) responses['400'] ??= BAD_PARAMETER;
      responses['503'] ??= WRITES.has(method) ? CONTENDED : MOVED;
      operation.responses = responses;
    }
  }
  return doc;
}
