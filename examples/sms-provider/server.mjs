#!/usr/bin/env node
// The demo's stand-in for Twilio's Messages API on http://127.0.0.1:8791, with the candidates'
// phones at its root. LOCAL DEVELOPMENT AND TESTS ONLY: fixed demo credentials, plain http,
// everything in memory.
//
//   node examples/sms-provider/server.mjs
//
// Environment: PORT (8791), HOST (127.0.0.1), ACCOUNT_SID, AUTH_TOKEN, INBOUND_URL,
// CALLBACK_DELAY_MS (300), MESSAGING_SERVICE_FROM. See README.md.
//
// Tests import createProvider from ./provider.mjs and listen on a free port. This file starts
// nothing on import, and exports no `handle` on purpose: scripts/examples-server.mjs would
// otherwise mount it under http://127.0.0.1:8080/sms-provider/.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createProvider, DEFAULTS } from './provider.mjs';

export { createProvider, DEFAULTS } from './provider.mjs';
export { twilioSignature } from './twilio.mjs';

/** @param {string | undefined} value */
function milliseconds(value) {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0)
    throw new Error(`CALLBACK_DELAY_MS must be a whole number of ms, not ${value}`);
  return ms;
}

async function main() {
  const port = Number(process.env.PORT ?? 8791);
  const host = process.env.HOST ?? '127.0.0.1';
  const provider = createProvider({
    accountSid: process.env.ACCOUNT_SID || undefined,
    authToken: process.env.AUTH_TOKEN || undefined,
    inboundUrl: process.env.INBOUND_URL || undefined,
    callbackDelayMs: milliseconds(process.env.CALLBACK_DELAY_MS),
    messagingServiceFrom: process.env.MESSAGING_SERVICE_FROM || undefined,
    log: (line) => process.stdout.write(`[sms-provider] ${line}\n`),
  });
  const { config } = provider;
  const origin = await provider.listen(port, host);
  process.stdout.write(
    `sms provider (Twilio stand-in) on ${origin}: candidates' phones at ${origin}/\n` +
      `  account ${config.accountSid}${config.accountSid === DEFAULTS.accountSid ? ' (demo)' : ''}, inbound messages to ${config.inboundUrl}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    provider.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  // A bad setting or a port in use: one line and a failed exit, no stack.
  await main().catch((error) => {
    process.stderr.write(
      `[sms-provider] error: ${error instanceof Error ? error.message : error}\n`,
    );
    process.exit(1);
  });
}
