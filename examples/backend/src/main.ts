// What a backend (an events tool, an ATS, a campaign tool) does with cxm, through the typed
// client `@cxm/edge-api/client`: mint a tracked link for an email, send event registrations and
// attendance, link a tracker visitor to a candidate, read a score with its breakdown, and list
// an audience for a re-engagement campaign. Safe to run again: engagement ids are fixed, so a
// second run stores nothing new.
//
//   pnpm --filter @cxm/example-backend start        (with `npm start` running)
//   API_ORIGIN=http://127.0.0.1:8787 CXM_USER_KEY=... CXM_REPORTER_KEY=... to point elsewhere
import { ApiError, createClient } from '@cxm/edge-api/client';

const API = process.env.API_ORIGIN ?? 'http://127.0.0.1:8787';
const DAY = 86_400_000;
// One key per job, each with the least role it needs (local demo keys by default).
const user = createClient({ baseUrl: API, apiKey: process.env.CXM_USER_KEY ?? 'sk_demo_user' });
const reporter = createClient({
  baseUrl: API,
  apiKey: process.env.CXM_REPORTER_KEY ?? 'sk_demo_reporter',
});

const EVENT = 'Backend guild meetup';
const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();

function heading(text: string) {
  process.stdout.write(`\n== ${text}\n`);
}

async function main() {
  const me = await user.whoami();
  process.stdout.write(`cxm API ${API}: organisation "${me.orgName}", key role ${me.role}\n`);

  heading('1. A tracked link for a campaign email (user)');
  const links = await user.createLinks({
    candidateId: 'alan-turing',
    subject: 'Roles for you this month',
    destinations: ['http://127.0.0.1:8080/pasted-snippet/jobs/backend-engineer.html'],
  });
  process.stdout.write(`open pixel: ${links.openUrl}\n`);
  for (const [destination, url] of Object.entries(links.clickUrls)) {
    process.stdout.write(`click ${destination}\n   -> ${url}\n`);
  }
  process.stdout.write(`expires ${links.expiresAt}\n`);

  heading(`2. Registrations and attendance for "${EVENT}" from the events tool (user)`);
  const registered = ['alan-turing', 'barbara-liskov', 'donald-knuth'];
  const attended = ['alan-turing', 'barbara-liskov'];
  const sent = await user.sendEngagements({
    engagements: [
      ...registered.map((candidateId) => ({
        id: `backend-example-register-${candidateId}`,
        candidateId,
        type: 'register_event' as const,
        detail: EVENT,
        occurredAt: at(3),
      })),
      ...attended.map((candidateId) => ({
        id: `backend-example-attend-${candidateId}`,
        candidateId,
        type: 'attend_event' as const,
        detail: EVENT,
        occurredAt: at(1),
      })),
    ],
  });
  process.stdout.write(
    `${sent.accepted} stored, ${sent.duplicates} already there (ids are fixed, so reruns are duplicates)\n`,
  );

  heading("3. Link a career-site visitor to a candidate, e.g. from a form's cxm_vid field (user)");
  const link = await user.linkVisitor('v_backend_example_0001', 'donald-knuth');
  process.stdout.write(
    `visitor ${link.visitorId} -> ${link.candidateId}: ${link.linkedEngagements} past engagements linked` +
      `${link.alreadyLinked ? ' (already linked)' : ''}; tier ${link.tier}\n`,
  );

  heading('4. A score with its breakdown (user)');
  const score = await user.score('alan-turing');
  process.stdout.write(
    `${score.candidateId}: ${score.tier}, ${score.points.toFixed(1)} points as of ${score.asOf}` +
      `, last engaged ${score.lastEngagedAt ?? 'never'}\n`,
  );
  for (const entry of score.breakdown) {
    process.stdout.write(
      `  ${entry.type.padEnd(20)} ${String(entry.count).padStart(3)} counted  ${entry.points.toFixed(1).padStart(6)} points\n`,
    );
  }

  heading('5. An audience to re-engage: Engaged, but quiet for 14 days (reporter)');
  const audience = await reporter.audience({
    tier: 'engaged',
    lastEngagedBefore: at(14),
    limit: 10,
  });
  process.stdout.write(`${audience.total} candidates\n`);
  for (const member of audience.candidates) {
    process.stdout.write(
      `  ${member.candidateId.padEnd(20)} ${member.points.toFixed(1).padStart(6)} points, last engaged ${member.lastEngagedAt}\n`,
    );
  }
  process.stdout.write(
    `\nSee them in the console: ${API}/console (sign in with sk_demo_reporter)\n`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ApiError) {
    process.stderr.write(`cxm API error ${error.status} ${error.code}: ${error.message}\n`);
    for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`could not reach ${API} (${message}). Is \`npm start\` running?\n`);
  }
  process.exit(1);
});
