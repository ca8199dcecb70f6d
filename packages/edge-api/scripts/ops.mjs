// The operator's commands against a running Worker (README "Scale: a database per organisation"):
//   pnpm org:shards                         each shard's size and organisations
//   pnpm org:create <id> "<name>" [tz]      a new organisation on the least full shard, with a
//                                           manager API key (printed once)
//   pnpm org:move <id> <shard>              moves it (its writes wait meanwhile; see src/endpoints/ops/move.ts)
// The Worker: `--url <origin>` or CXM_URL (default http://127.0.0.1:8787, `npm start`'s). The
// token: OPERATOR_TOKEN in the environment, else the development one (scripts/dev-vars.mjs).
import { DEV_ORIGIN, DEV_VARS } from './dev-vars.mjs';

const argv = process.argv.slice(2);
const urlAt = argv.indexOf('--url');
const origin = urlAt >= 0 ? argv[urlAt + 1] : (process.env.CXM_URL ?? DEV_ORIGIN);
const [command, ...args] =
  urlAt >= 0 ? argv.filter((_, i) => i !== urlAt && i !== urlAt + 1) : argv;
const token = process.env.OPERATOR_TOKEN ?? DEV_VARS.OPERATOR_TOKEN;

const USAGE = 'usage: ops.mjs shards | create <id> <name> [time zone] | move <id> <shard>';

async function call(method, path, body) {
  let reply;
  try {
    reply = await fetch(`${origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    process.stderr.write(
      `cannot reach the worker at ${origin} (${error.cause?.code ?? error.message}); is it running? (--url or CXM_URL)\n`,
    );
    process.exit(1);
  }
  const text = await reply.text();
  if (!reply.ok) {
    process.stderr.write(`${method} ${path}: ${reply.status} ${text}\n`);
    process.exit(1);
  }
  return JSON.parse(text);
}

if (command === 'shards') {
  const { shards } = await call('GET', '/ops/shards');
  for (const shard of shards) {
    process.stdout.write(
      `${shard.name}\t${(shard.sizeBytes / 1e6).toFixed(1)} MB\t${shard.organisations} organisations\n`,
    );
  }
} else if (command === 'create' && args.length >= 2) {
  const [id, name, timeZone] = args;
  const created = await call('POST', '/ops/organisations', {
    id,
    name,
    ...(timeZone ? { timeZone } : {}),
  });
  process.stdout.write(
    `${created.id} created on ${created.shard}\nmanager API key (shown once): ${created.apiKey}\n`,
  );
} else if (command === 'move' && args.length === 2) {
  const [id, to] = args;
  const moved = await call('POST', `/ops/organisations/${encodeURIComponent(id)}/move`, { to });
  for (const table of moved.tables) {
    if (table.rows > 0)
      process.stdout.write(`${table.table}\t${table.rows} rows\tchecksum ${table.checksum}\n`);
  }
  process.stdout.write(
    `${moved.orgId} moved from ${moved.from} to ${moved.to} in ${moved.ms} ms\n`,
  );
} else {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
