// `GET /console/audit`: the audit log (`GET /v1/audit`) in the view the URL keeps, with the
// organisation's people named (`GET /v1/users`; both need the manager role, which the API checks).
import type { Hono } from 'hono';
import { AUDIT_RETENTION_DAYS } from '../../endpoints/audit/prune.js';
import type { AppEnv } from '../../env.js';
import { settle, statusOf } from '../api.js';
import type { SignedIn } from '../auth.js';
import { AuditLogPage, type AuditView } from '../pages/audit.js';
import { peopleNames } from '../people-names.js';
import { whenSignedIn } from './signed-in.js';

const PAGE_SIZE = 50;

export function registerAudit(routes: Hono<AppEnv>, signedIn: SignedIn): void {
  routes.get(
    '/audit',
    whenSignedIn(signedIn, async (c, signed) => {
      const view: AuditView = {
        action: c.req.query('action')?.trim() ?? '',
        from: c.req.query('from')?.trim() ?? '',
        to: c.req.query('to')?.trim() ?? '',
      };
      const cursor = c.req.query('cursor') || undefined;
      const [result, names] = await Promise.all([
        settle(
          signed.client.audit({
            ...(view.action ? { action: view.action } : {}),
            ...(view.from ? { from: view.from } : {}),
            ...(view.to ? { to: view.to } : {}),
            limit: PAGE_SIZE,
            ...(cursor ? { cursor } : {}),
          }),
        ),
        peopleNames(signed.client),
      ]);
      return c.html(
        <AuditLogPage
          who={signed.who}
          view={view}
          result={result}
          names={names}
          retentionDays={AUDIT_RETENTION_DAYS}
        />,
        statusOf(result),
      );
    }),
  );
}
