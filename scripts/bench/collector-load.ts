// One autocannon run at fixed concurrency, with a body of its own for every request and every
// reply checked against what that request expected.
//
// The run stops gracefully: after `seconds`, no connection sends another request, but each waits
// for the reply to the one it has in flight. autocannon's own `duration` hangs up on those
// instead; the worker still finishes them, so they would be stored without a reply, and would
// load the worker during the next run (a batch of 500 queued behind others takes seconds).
import autocannon from 'autocannon';

export interface Outgoing<T> {
  body: string;
  /** What the reply is checked against. */
  meta: T;
}

export interface Load<T> {
  title: string;
  origin: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  connections: number;
  /** How long new requests are sent; or exactly `amount` requests. */
  seconds?: number;
  amount?: number;
  /** Builds request number `seq` (0, 1, ... across all connections). */
  build?: (seq: number) => Outgoing<T>;
  /** A 2xx reply: undefined when it says what `meta` expected, else what is wrong. */
  check?: (body: string, meta: T) => string | undefined;
}

export interface LoadOutcome {
  title: string;
  result: autocannon.Result;
  /** 2xx replies. */
  answered: number;
  /** From sending the first request to the last reply. */
  seconds: number;
  /** Non-2xx replies, failed checks, connection errors and timeouts. */
  failures: number;
  /** The first few failures, verbatim. */
  examples: string[];
}

/**
 * What the graceful stop needs of autocannon 9's per-connection client, which its types leave
 * out: a client sends no request past `responseMax` (it ends once it has `reqsMade` of them).
 */
interface ClientLimits {
  reqsMade: number;
  responseMax: number;
}

function limits(client: unknown): ClientLimits {
  const c = client as Partial<ClientLimits>;
  if (typeof c.reqsMade !== 'number' || typeof c.responseMax !== 'number') {
    throw new Error('autocannon client without reqsMade/responseMax: update collector-load.ts');
  }
  return client as ClientLimits;
}

interface Slot {
  seq?: number;
}

export async function load<T>(spec: Load<T>): Promise<LoadOutcome> {
  const pending = new Map<number, T>();
  const examples: string[] = [];
  let next = 0;
  let answered = 0;
  let failed = 0;
  let began = 0;
  let lastReply = 0;
  const fail = (problem: string) => {
    failed++;
    if (examples.length < 5) examples.push(problem.slice(0, 500));
  };

  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: spec.headers ?? {},
    setupRequest: (req, context) => {
      const build = spec.build;
      if (!build) return req;
      // Context is per connection and lives from building a request to reading its reply.
      const seq = next++;
      const { body, meta } = build(seq);
      pending.set(seq, meta);
      (context as Slot).seq = seq;
      return { ...req, body };
    },
    onResponse: (status, body, context) => {
      lastReply = performance.now();
      const seq = (context as Slot).seq;
      const meta = seq === undefined ? undefined : pending.get(seq);
      if (seq !== undefined) pending.delete(seq);
      if (status < 200 || status > 299) return fail(`HTTP ${status}: ${body}`);
      answered++;
      if (spec.check && meta !== undefined) {
        const problem = spec.check(body, meta);
        if (problem !== undefined) fail(`${problem}: ${body}`);
      }
    },
  };

  const clients: ClientLimits[] = [];
  let timer: NodeJS.Timeout | undefined;
  if (spec.amount === undefined) {
    timer = setTimeout(
      () => {
        for (const client of clients) client.responseMax = client.reqsMade;
      },
      (spec.seconds ?? 10) * 1000,
    );
  }
  began = performance.now();
  let result: autocannon.Result;
  try {
    result = await autocannon({
      url: `${spec.origin}${spec.path}`,
      title: spec.title,
      connections: spec.connections,
      // Until told otherwise: the timer above lowers each connection's limit to what it sent.
      amount: spec.amount ?? 1_000_000_000,
      // A 500-item batch can wait behind the others on the single-threaded local worker.
      timeout: 60,
      requests: [request],
      setupClient: (client) => {
        clients.push(limits(client));
      },
    });
  } finally {
    clearTimeout(timer);
  }
  // autocannon counts timeouts among its connection errors.
  if (result.errors > 0 && examples.length < 5) {
    examples.push(`${result.errors} connection errors, of which ${result.timeouts} timeouts`);
  }
  if (pending.size > 0 && examples.length < 5) {
    examples.push(`${pending.size} requests sent but never answered`);
  }
  return {
    title: spec.title,
    result,
    answered,
    seconds: (lastReply - began) / 1000,
    failures: failed + result.errors + pending.size,
    examples,
  };
}

/** Throws, with what went wrong, unless every request got the 2xx reply it expected. */
export function assertClean(outcome: LoadOutcome): void {
  const { result } = outcome;
  if (outcome.failures === 0 && result.non2xx === 0) return;
  throw new Error(
    `${outcome.title}: ${outcome.failures} failed requests (${result.non2xx} non-2xx, ` +
      `${result.errors} connection errors or timeouts), e.g.\n${outcome.examples.join('\n')}`,
  );
}
