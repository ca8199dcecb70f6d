// The pasted-snippet site's own backend, for one thing only: the talent-network form. It does
// what a careers site's backend (or the ATS behind it) does with such a form: it finds or
// creates the candidate, then tells cxm which candidate this browser belongs to, with the
// `cxm_vid` hidden field the tracker added to the form (`data-form-visitor-field`).
//
// The candidate id is derived from the email address (a SHA-256 prefix), the way an ATS looks a
// person up by email: cxm gets an opaque id, never the email, the name or any other field.
// Every other request is left to the static example server.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The site's server-side cxm key (role user is enough to link a visitor). */
const API_KEY = process.env.EXAMPLE_API_KEY ?? 'sk_demo_user';
const MAX_BODY = 16 * 1024;
const VISITOR_ID = /^[A-Za-z0-9_-]{8,64}$/;

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char],
  );
}

async function readForm(request) {
  let size = 0;
  const chunks = [];
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** What an ATS would do: one person per email address, under the ATS's own opaque id. */
export function candidateIdFor(email) {
  const digest = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  return `cand-${digest.slice(0, 16)}`;
}

async function linkVisitor(apiOrigin, visitorId, candidateId) {
  try {
    const response = await fetch(`${apiOrigin}/v1/visitors/${encodeURIComponent(visitorId)}/link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ candidateId }),
      signal: AbortSignal.timeout(5000),
    });
    const body = await response.json().catch(() => ({}));
    return response.ok
      ? { ok: true, linked: body.linkedEngagements ?? 0 }
      : { ok: false, why: `${response.status} ${body.error?.code ?? ''}`.trim() };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
}

export async function handle(request, response, { apiOrigin, url }) {
  if (request.method !== 'POST' || url.pathname !== '/pasted-snippet/thanks.html') return false;
  let form;
  try {
    form = await readForm(request);
  } catch {
    response.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('form too large');
    return true;
  }
  const email = form.get('email') ?? '';
  const visitorId = form.get('cxm_vid') ?? '';
  let note;
  if (!email.includes('@')) {
    note = '<p>No email address came with the form, so no candidate was created.</p>';
  } else {
    const candidateId = candidateIdFor(email);
    const consoleUrl = `${apiOrigin}/console/candidates/${encodeURIComponent(candidateId)}`;
    const who = `candidate <code data-candidate-id="${escapeHtml(candidateId)}">${escapeHtml(candidateId)}</code>`;
    if (!VISITOR_ID.test(visitorId)) {
      note = `<p>This site's backend filed you as ${who}. No visitor id came with the form (the
        tracker did not run, e.g. tracking is off or was declined), so nothing was linked.</p>`;
    } else {
      const outcome = await linkVisitor(apiOrigin, visitorId, candidateId);
      note = outcome.ok
        ? `<p>This site's backend filed you as ${who} and linked this browser's visitor id to it
            (<code>POST /v1/visitors/…/link</code>): ${outcome.linked} earlier visit${outcome.linked === 1 ? '' : 's'}
            now count${outcome.linked === 1 ? 's' : ''} for you.
            <a href="${escapeHtml(consoleUrl)}">See it in the recruiter console</a> (sign in with <code>sk_demo_user</code>).</p>`
        : `<p>This site's backend filed you as ${who}, but linking the visitor failed
            (${escapeHtml(outcome.why)}).</p>`;
    }
  }
  note += `<p class="note">The id is derived from your email address, as an ATS finds a person by
    email; cxm never receives the email, your name or anything else you typed.</p>`;
  const page = (await readFile(join(here, 'thanks.html'), 'utf8'))
    .replaceAll('http://127.0.0.1:8787', apiOrigin)
    .replace(
      '</main>',
      `  <div class="card" id="behind-the-scenes"><h2>Behind the scenes</h2>${note}</div>\n  </main>`,
    );
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(page);
  return true;
}
