// Types of dev-vars.mjs, for the TypeScript that imports it (tests/support, vitest, node tests).

export declare const DEV_VARS_FILE: string;
export declare const DEV_ORIGIN: string;
export declare const DEV_VARS: Readonly<{
  ENVIRONMENT: 'development';
  TOKEN_SECRET: string;
  SECRETS_KEY: string;
  ALLOW_LOCAL_WEBHOOKS: 'true';
  LOCAL_DEMO: 'true';
  COLLECT_MODE: 'direct';
  OPERATOR_TOKEN: string;
}>;
export declare function varArgs(vars: Record<string, string>): string[];
export declare function ensureDevVars(extra?: Record<string, string>): string[];
