// The Engagement tab says, per engagement, how we know it is the candidate's, in words a recruiter
// reads, with what each means and how far to trust it (issue 14).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { mintIdentityToken } from '../auth/tokens.js';
import {
  api,
  BROWSER_UA,
  beacon,
  createOrg,
  json,
  request,
  rid,
  sendBeacon,
  sendEngagements,
  type TestOrg,
  visit,
} from '../test/client.js';
import { signedInAs } from '../test/console.js';

async function signIn(key: string): Promise<string> {
  return (await signedInAs(key)).cookie;
}

async function visits(
  org: TestOrg,
  deviceId: string,
  paths: string[],
  identity?: string,
  fp?: string,
) {
  const body = beacon({
    site: org.siteKey,
    visitor: { id: deviceId, kind: 'stored', ...(fp === undefined ? {} : { fp }) },
    events: paths.map((path) => visit(`${org.origin}${path}`)),
    ...(identity === undefined ? {} : { identity }),
  });
  expect((await sendBeacon(body, { origin: org.origin })).status).toBe(202);
}

/** One candidate with an engagement of every attribution the writers make. */
async function candidateSeenEveryWay(org: TestOrg): Promise<string> {
  const cand = rid('cand');
  await sendEngagements(org.keys.user, cand, [
    { type: 'attend_event', ago: 60_000, detail: 'Spring hiring fair' },
  ]);
  const links = await json<{ openUrl: string }>(
    api('POST', '/v1/links', org.keys.user, {
      candidateId: cand,
      subject: 'Our spring newsletter',
      destinations: [`${org.origin}/events/spring`],
    }),
  );
  const open = await request(new URL(links.openUrl).pathname, {
    headers: { 'user-agent': BROWSER_UA },
  });
  expect(open.status).toBe(200);
  const [applied, clicked, cleared, fp] = [rid('v'), rid('v'), rid('v'), rid('fp')];
  await visits(org, applied, ['/jobs/before-applying'], undefined, fp);
  await api('POST', `/v1/visitors/${applied}/link`, org.keys.user, { candidateId: cand });
  await visits(org, applied, ['/jobs/after-applying']);
  // The same device with its storage cleared: a new profile, recognised by the fingerprint.
  await visits(org, cleared, ['/jobs/after-clearing-cookies'], undefined, fp);
  const token = await mintIdentityToken(env.TOKEN_SECRET, { orgId: org.orgId, candidateId: cand });
  await visits(org, clicked, ['/events/from-the-email'], token);
  return cand;
}

/** The text of each body row of the engagement table, tags stripped. */
function rowTexts(html: string): string[] {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((match) =>
    (match[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
  );
}

describe('console: the Engagement tab explains each attribution', () => {
  it('names how each engagement is known to be theirs, and what that means', async () => {
    const org = await createOrg();
    const cand = await candidateSeenEveryWay(org);
    const response = await request(`/console/candidates/${cand}`, {
      headers: { cookie: await signIn(org.keys.user) },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<th scope="col">How we know it&#39;s them</th>');
    const rows = rowTexts(html);
    const rowOf = (detail: string) => rows.find((row) => row.includes(detail)) ?? '';
    expect(rowOf('Spring hiring fair')).toContain('Sent by your ATS');
    expect(rowOf('Our spring newsletter')).toContain('Tracked email link');
    expect(rowOf('/jobs/before-applying')).toContain('Earlier visit, linked later');
    expect(rowOf('/jobs/after-applying')).toContain('This browser (linked earlier)');
    expect(rowOf('/events/from-the-email')).toContain('Identity link in an email');
    expect(rowOf('/jobs/after-clearing-cookies')).toContain('Recognised by device fingerprint');
    // Each row's words carry their meaning (a tooltip) and the legend lists what appears, with
    // how far to trust it; "not recorded" appears nowhere.
    expect(html).toContain('title="Sent by one of your systems');
    expect(html).toContain('<h3 id="attribution-heading">How we know it&#39;s them</h3>');
    const legend = html.slice(html.indexOf('<dl class="attributions">'));
    for (const words of [
      'Sent by your ATS',
      'Tracked email link',
      'Identity link in an email',
      'This browser (linked earlier)',
      'Earlier visit, linked later',
      'Recognised by device fingerprint',
    ]) {
      expect(legend).toContain(`<dt>${words}</dt>`);
    }
    expect(legend.match(/<strong>Trust:<\/strong>/g)).toHaveLength(6);
    expect(html).not.toContain('Not recorded');
    // The tab's existing words stay.
    expect(html).toContain('Event attended');
    expect(html).toContain('<th scope="col">Source</th>');
  });
});
