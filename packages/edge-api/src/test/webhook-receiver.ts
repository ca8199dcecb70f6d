// A stand-in webhook receiver for tests that post through the app (API and console), where no
// `fetch` can be handed in: the global `fetch` is spied on for `https://hooks.example.com` only,
// records each post and answers with the status set on it. Restore it after each test.
import { vi } from 'vitest';
import { api, json, type TestOrg } from './client.js';

export const HOOKS_ORIGIN = 'https://hooks.example.com';

export interface ReceivedPost {
  url: string;
  body: string;
  signature: string;
  delivery: string;
}

export function fakeReceiver() {
  const posted: ReceivedPost[] = [];
  const state = { status: 200, posted };
  const realFetch = globalThis.fetch;
  const spy = vi
    .spyOn(globalThis, 'fetch')
    .mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith(`${HOOKS_ORIGIN}/`)) return realFetch(input, init);
      const headers = new Headers(init?.headers);
      posted.push({
        url,
        body: String(init?.body),
        signature: headers.get('cxm-signature') ?? '',
        delivery: headers.get('cxm-delivery') ?? '',
      });
      return new Response(null, { status: state.status });
    });
  return Object.assign(state, { restore: () => spy.mockRestore() });
}

/** Gives `org` a webhook URL on the stand-in receiver; its signing secret. */
export async function setWebhook(org: TestOrg): Promise<{ url: string; secret: string }> {
  const url = `${HOOKS_ORIGIN}/${org.orgId}`;
  const settings = await json<{ webhookSecret: string }>(
    api('PUT', '/v1/settings/engagement', org.keys.manager, { webhookUrl: url }),
  );
  return { url, secret: settings.webhookSecret };
}
