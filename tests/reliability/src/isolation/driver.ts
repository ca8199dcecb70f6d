// Runs isolation cases from one organisation against another: the victim's rows are read before
// the first case and after each one (a change is reported with the case that made it, then taken
// as the new baseline so one failure does not repeat down the list), and every reply is searched
// for the victim's values. Problems are collected, not thrown, so one run reports all of them.

import { read } from '@cxm/test-support/d1';
import { until } from '@cxm/test-support/poll';
import { changes, distinctiveValues, snapshot } from '../snapshot.js';
import type { IsolationCase, Tools } from './cases.js';
import type { OrgFixture } from './fixture.js';
import { call } from './http.js';
import { leaks } from './leaks.js';

/** The `METHOD /path` of every operation in an OpenAPI document. */
export function operations(document: unknown): string[] {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
  return Object.entries(paths).flatMap(([path, item]) =>
    methods.filter((method) => item[method] !== undefined).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

/**
 * Texts on their way: the queue's consumer and the provider's status callbacks move them on
 * (`queued` → `sending` → `accepted` → `sent` → `delivered`); `scheduled` waits for the queue.
 */
const MOVING = "('queued', 'sending', 'accepted', 'sent')";

/**
 * Waits until the organisation has no webhook delivery still pending and no text on its way:
 * one posted after a request (`waitUntil`) or a status callback updates its row later, which
 * would look like a change made by a case.
 */
export async function settle(persist: string, orgId: string): Promise<void> {
  await until(
    `${orgId}'s webhook deliveries and texts to settle`,
    () => {
      const [row] = read<{ n: number }>(
        persist,
        `SELECT (SELECT COUNT(*) FROM webhook_deliveries WHERE org_id = '${orgId}' AND status = 'pending')
              + (SELECT COUNT(*) FROM messages WHERE org_id = '${orgId}' AND status IN ${MOVING}) AS n`,
      );
      return row?.n === 0 ? true : undefined;
    },
    60_000,
  );
}

function clip(text: string, length = 120): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

export interface Run {
  problems: string[];
  /** What was done, for the log: cases, requests sent, victim's values searched for. */
  summary: string;
}

export async function runCases(input: {
  origin: string;
  persist: string;
  attacker: OrgFixture;
  victim: OrgFixture;
  cases: readonly IsolationCase[];
}): Promise<Run> {
  const { origin, persist, attacker, victim } = input;
  const problems: string[] = [];
  let requests = 0;
  await settle(persist, victim.spec.orgId);
  let before = snapshot(persist, victim.spec.orgId);
  const secrets = [...new Set([...victim.secrets, ...distinctiveValues(before)])];
  for (const isolationCase of input.cases) {
    const label = `${isolationCase.op} [${attacker.spec.orgId} -> ${victim.spec.orgId}]`;
    const tools: Tools = {
      origin,
      attacker,
      victim,
      persist,
      send: async (request) => {
        const answer = await call(origin, request);
        requests += 1;
        const what = `${request.method} ${clip(request.path)}`;
        if (answer.status >= 500) {
          problems.push(`${label}: ${what} answered ${answer.status}: ${clip(answer.text, 300)}`);
        }
        const found = leaks(answer, request, secrets);
        if (found.length > 0) {
          problems.push(
            `${label}: the reply to ${what} (${answer.status}) carries ${victim.spec.orgId}'s ` +
              `${found
                .slice(0, 5)
                .map((secret) => JSON.stringify(secret))
                .join(', ')}` +
              `${found.length > 5 ? ` and ${found.length - 5} more` : ''}: ${clip(answer.text, 300)}`,
          );
        }
        return answer;
      },
      check: (ok, problem) => {
        if (!ok) problems.push(`${label}: ${problem}`);
      },
    };
    try {
      await isolationCase.run(tools);
    } catch (error) {
      problems.push(`${label}: the case threw ${error instanceof Error ? error.stack : error}`);
    }
    const after = snapshot(persist, victim.spec.orgId);
    for (const change of changes(before, after)) problems.push(`${label}: ${change}`);
    before = after;
  }
  const summary =
    `${attacker.spec.orgId} -> ${victim.spec.orgId}: ${input.cases.length} operations, ` +
    `${requests} requests, ${secrets.length} of ${victim.spec.orgId}'s values searched for in ` +
    `every reply, ${before.sets.size} sets of its rows compared after each operation`;
  return { problems, summary };
}
