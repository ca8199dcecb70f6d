// `POST /console/candidates/bulk`: the candidate list's bulk actions. The list's form posts here
// with its view, the ticked rows and the action; the page that answers says what was done (or
// why nothing was) and links back to the same view. See ../bulk-actions.ts.
import type { Hono } from 'hono';
import type { AppEnv } from '../../env.js';
import { statusOf } from '../api.js';
import type { SignedIn } from '../auth.js';
import { type BulkForm, runBulkAction } from '../bulk-actions.js';
import { viewOf } from '../candidate-list-view.js';
import { readFormFields, tagsOfText } from '../forms.js';
import { BulkResultPage } from '../pages/candidates-bulk.js';
import { whenSignedIn } from './signed-in.js';

export function registerCandidatesBulk(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.post(
    '/candidates/bulk',
    whenSignedIn(signedIn, async (c, signed) => {
      // Every value of a repeated field: the ticked rows and the tiers repeat.
      const fields = await readFormFields(c);
      const one = (name: string) => fields.get(name) ?? undefined;
      const view = viewOf(one, fields.getAll('tier'));
      const form: BulkForm = {
        action: one('action') ?? '',
        scope: one('scope') === 'all' ? 'all' : 'ticked',
        ids: fields.getAll('ids').filter(Boolean),
        tags: tagsOfText(one('bulkTags')),
        campaignId: one('campaignId') ?? '',
        message: one('bulkMessage') ?? '',
      };
      const outcome = await runBulkAction(signed.client, view, form);
      const status =
        outcome.kind === 'refused'
          ? 400
          : outcome.kind === 'problem'
            ? statusOf({ ok: false, problem: outcome.problem })
            : 200;
      return c.html(<BulkResultPage who={signed.who} view={view} outcome={outcome} />, status);
    }),
  );
}
