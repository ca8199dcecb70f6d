// Waiting for a rescore: a scoring model change answers before its pages run (on the local
// `cxm-rescore` queue, consumed by the worker in the background, as in production), so a test
// that reads scores after a save first waits for `GET /v1/settings/engagement` to say `done`.
import { expect } from 'vitest';
import type { RescoreProgress } from '../scoring/rescore.js';
import { api, json, type TestOrg } from './client.js';

/** The organisation's rescore progress as `GET /v1/settings/engagement` shows it. */
export async function rescoreOf(org: TestOrg): Promise<RescoreProgress | null> {
  const settings = await json<{ rescore: RescoreProgress | null }>(
    api('GET', '/v1/settings/engagement', org.keys.manager),
  );
  return settings.rescore;
}

/** Polls the progress until the rescore is done (5 s at most); its final progress. */
export async function rescoreDone(org: TestOrg): Promise<RescoreProgress> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const progress = await rescoreOf(org);
    if (progress?.state === 'done' || Date.now() > deadline) {
      expect(progress?.state, 'the rescore did not finish within 5 s').toBe('done');
      return progress!;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
