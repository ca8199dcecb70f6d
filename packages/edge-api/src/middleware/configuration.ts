// Safe by default: a deployment serves only when its required secrets are set, none of them is a
// value published for local development, and no development-only setting is on. Otherwise every
// request, `/healthz` included, gets a 503 naming each setting to fix (the cron and the queue
// consumers do nothing either, src/index.ts): a Worker deployed with a forgeable TOKEN_SECRET or
// loopback webhooks allowed must not quietly run.
//
// Local development is `ENVIRONMENT=development`, which only packages/edge-api/.dev.vars and
// `wrangler dev --var` set (wrangler.jsonc says "production"). It is configuration: nothing in a
// request (its Host, its origin, its headers) can make a deployment count as local.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Bindings } from '../env.js';
import { FIRST_SHARD, shardNames } from '../shards/shards.js';
import { apiError, errorResponse, type Issue } from '../utils/errors.js';
import { flagOn, outboundUrlProblem } from '../utils/outbound-url.js';

/**
 * Every secret value published for local development contains this (scripts/dev-vars.mjs, and the
 * values wrangler.jsonc `vars` held before): outside local development such a value is refused.
 */
export const DEVELOPMENT_MARKER = 'do-not-use-in-production';

/** The settings a deployment needs; wrangler.jsonc `secrets.required` lists the same. */
export const REQUIRED_SECRETS = ['TOKEN_SECRET', 'SECRETS_KEY', 'PUBLIC_ORIGIN'] as const;

export type Settings = Partial<Record<keyof Bindings, unknown>>;

function isD1Binding(value: unknown): boolean {
  return typeof (value as { prepare?: unknown } | null)?.prepare === 'function';
}

export interface ConfigurationProblem {
  /** The binding to fix, e.g. `TOKEN_SECRET`. */
  setting: string;
  problem: 'missing' | 'development_value' | 'development_only' | 'invalid';
  message: string;
}

export function isLocalDevelopment(env: Settings): boolean {
  return env.ENVIRONMENT === 'development';
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** What keeps `env` from serving safely, one entry per setting; empty when it may serve. */
export function configurationProblems(env: Settings): ConfigurationProblem[] {
  const problems: ConfigurationProblem[] = [];
  const local = isLocalDevelopment(env);
  const add = (setting: string, problem: ConfigurationProblem['problem'], message: string) =>
    problems.push({ setting, problem, message });

  for (const name of ['TOKEN_SECRET', 'SECRETS_KEY'] as const) {
    const value = text(env[name]);
    if (!value) {
      add(
        name,
        'missing',
        `${name} is not set (\`wrangler secret put ${name}\`, a long random value)`,
      );
    } else if (!local && value.includes(DEVELOPMENT_MARKER)) {
      add(
        name,
        'development_value',
        `${name} is the published development value: set a long random one with \`wrangler secret put ${name}\``,
      );
    }
  }
  const unbound = shardNames({ SHARDS: text(env.SHARDS) }).filter(
    (name) => name !== FIRST_SHARD && !isD1Binding(env[name as keyof Bindings]),
  );
  if (unbound.length > 0) {
    add(
      'SHARDS',
      'invalid',
      `SHARDS names ${unbound.join(', ')}, which ${unbound.length === 1 ? 'is not a D1 binding' : 'are not D1 bindings'} of this Worker (wrangler.jsonc \`d1_databases\`)`,
    );
  }
  if (local) return problems;

  if (text(env.OPERATOR_TOKEN)?.includes(DEVELOPMENT_MARKER)) {
    add(
      'OPERATOR_TOKEN',
      'development_value',
      'OPERATOR_TOKEN is the published development value: set a long random one (`wrangler secret put OPERATOR_TOKEN`) or delete it',
    );
  }
  if (text(env.SECRETS_KEY_PREVIOUS)?.includes(DEVELOPMENT_MARKER)) {
    add(
      'SECRETS_KEY_PREVIOUS',
      'development_value',
      'SECRETS_KEY_PREVIOUS is the published development value: delete it (`wrangler secret delete SECRETS_KEY_PREVIOUS`)',
    );
  }
  const origin = text(env.PUBLIC_ORIGIN);
  const originProblem = origin ? outboundUrlProblem(origin) : null;
  if (!origin) {
    add(
      'PUBLIC_ORIGIN',
      'missing',
      'PUBLIC_ORIGIN is not set (`wrangler secret put PUBLIC_ORIGIN`: the https origin this worker answers on, e.g. https://cxm.example.com)',
    );
  } else if (originProblem) {
    add('PUBLIC_ORIGIN', 'invalid', `PUBLIC_ORIGIN ${originProblem} (it is ${origin})`);
  }
  for (const flag of ['ALLOW_LOCAL_WEBHOOKS', 'LOCAL_DEMO'] as const) {
    const value = env[flag];
    if (typeof value === 'string' && flagOn(value)) {
      add(
        flag,
        'development_only',
        `${flag} is on, which is for local development only: set it to "false"`,
      );
    }
  }
  const providerBase = text(env.TWILIO_API_BASE);
  const providerProblem = providerBase ? outboundUrlProblem(providerBase) : null;
  if (providerBase && providerProblem) {
    add(
      'TWILIO_API_BASE',
      'invalid',
      `TWILIO_API_BASE ${providerProblem} (it is ${providerBase}; unset, it is https://api.twilio.com)`,
    );
  }
  return problems;
}

/** Problems per bindings object: the Worker's `env` is one object per isolate, checked once. */
const checked = new WeakMap<object, ConfigurationProblem[]>();

export function problemsOf(env: Settings | undefined): ConfigurationProblem[] {
  if (!env) return configurationProblems({});
  let problems = checked.get(env);
  if (!problems) {
    problems = configurationProblems(env);
    checked.set(env, problems);
    if (problems.length > 0) {
      console.error(JSON.stringify({ refusing: 'misconfigured', problems }));
    }
  }
  return problems;
}

/** The refusal's message: every problem, in words. */
export function misconfiguredMessage(problems: readonly ConfigurationProblem[]): string {
  return `This deployment is not configured safely and serves nothing until it is: ${problems
    .map((p) => p.message)
    .join('; ')}.`;
}

/** First on every route: a 503 `misconfigured` naming each setting, or on to the route. */
export function requireSafeConfiguration(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const problems = problemsOf(c.env as Settings | undefined);
    if (problems.length === 0) return next();
    const issues: Issue[] = problems.map((p) => ({
      path: p.setting,
      code: p.problem,
      message: p.message,
    }));
    return errorResponse(c, apiError('misconfigured', misconfiguredMessage(problems), issues), {
      'Cache-Control': 'no-store',
    });
  };
}
