// The pasted-snippet site's own backend, for its two forms: the talent network (a plain form the
// browser posts to thanks.html) and quick apply (a form the page posts itself with `fetch` to
// `apply`, answered in JSON). Both take the same path, what a careers site's backend (or the ATS
// behind it) does with such a form: it finds or creates the candidate, then tells cxm which
// candidate this browser belongs to, with the `cxm_vid` hidden field the tracker added to the
// form (`data-form-visitor-field`).
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

/**
 * What both forms do with what was posted: no email, no candidate; otherwise the candidate's id,
 * and the outcome of linking the visitor id from `cxm_vid` to it (`visitor: false` when the form
 * carried none: the tracker did not run, or has no consent).
 */
async function fileCandidate(apiOrigin, form) {
  const email = form.get('email') ?? '';
  const visitorId = form.get('cxm_vid') ?? '';
  if (!email.includes('@')) return { candidateId: null };
  const candidateId = candidateIdFor(email);
  const consoleUrl = `${apiOrigin}/console/candidates/${encodeURIComponent(candidateId)}`;
  if (!VISITOR_ID.test(visitorId)) return { candidateId, consoleUrl, visitor: false };
  return {
    candidateId,
    consoleUrl,
    visitor: true,
    ...(await linkVisitor(apiOrigin, visitorId, candidateId)),
  };
}

function reply(response, status, type, body) {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

export async function handle(request, response, { apiOrigin, url }) {
  const thanks = url.pathname === '/pasted-snippet/thanks.html';
  const apply = url.pathname === '/pasted-snippet/apply';
  if (request.method !== 'POST' || !(thanks || apply)) return false;
  let form;
  try {
    form = await readForm(request);
  } catch {
    reply(response, 413, 'text/plain; charset=utf-8', 'form too large');
    return true;
  }
  const filed = await fileCandidate(apiOrigin, form);
  if (apply) {
    // quick-apply.html posted the form itself and shows the outcome in place.
    reply(
      response,
      filed.candidateId ? 200 : 422,
      'application/json',
      JSON.stringify(filed.candidateId ? filed : { error: 'an email address is required' }),
    );
    return true;
  }
  let note;
  if (!filed.candidateId) {
    note = '<p>No email address came with the form, so no candidate was created.</p>';
  } else {
    const { candidateId, consoleUrl } = filed;
    const who = `candidate <code data-candidate-id="${escapeHtml(candidateId)}">${escapeHtml(candidateId)}</code>`;
    if (!filed.visitor) {
      note = `<p>This site's backend filed you as ${who}. No visitor id came with the form (the
        tracker did not run, e.g. tracking is off or was declined), so nothing was linked.</p>`;
    } else {
      note = filed.ok
        ? `<p>This site's backend filed you as ${who} and linked this browser's visitor id to it
            (<code>POST /v1/visitors/…/link</code>): ${filed.linked} earlier visit${filed.linked === 1 ? '' : 's'}
            now count${filed.linked === 1 ? 's' : ''} for you.
            <a href="${escapeHtml(consoleUrl)}">See it in the recruiter console</a> (sign in with <code>sk_demo_user</code>).</p>`
        : `<p>This site's backend filed you as ${who}, but linking the visitor failed
            (${escapeHtml(filed.why)}).</p>`;
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
  reply(response, 200, 'text/html; charset=utf-8', page);
  return true;
}
