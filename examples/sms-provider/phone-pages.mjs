// The candidates' phones as HTML: the list of numbers that received something, and one thread
// with a reply form. Plain pages: no scripts, nothing loaded from elsewhere, labelled fields.

/** @param {unknown} value */
function html(value) {
  return String(value).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char],
  );
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:40rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin:0 0 .25rem}p.note,.meta{color:#5a6270}p.note{margin-top:0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .75rem .3rem 0;border-bottom:1px solid #e3e6ec}
ol.thread{list-style:none;padding:0}ol.thread li{margin:.75rem 0;padding:.5rem .75rem;border-radius:8px;max-width:85%}
li.in{background:#e3e6ec}li.out{background:#dbe6ff;margin-left:auto}
.meta{font-size:.8rem;margin:0}.text{margin:.2rem 0;white-space:pre-wrap}
label{display:block;margin-top:1rem;font-weight:600}
textarea{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #b8bfcc;border-radius:4px}
button{margin-top:.5rem;padding:.55rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#2c5fd9;border:0;border-radius:4px;cursor:pointer}
.error{padding:.5rem .75rem;color:#8a1020;background:#fde8eb;border-radius:4px}
.status{padding:.5rem .75rem;background:#e6f4ea;border-radius:4px}.warn{padding:.5rem .75rem;background:#fff4d6;border-radius:4px}`;

/** A whole page. */
function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** @param {string} address */
export function phoneHref(address) {
  return `/phone/${encodeURIComponent(address)}`;
}

/** @param {string} address */
function label(address) {
  return address.startsWith('whatsapp:') ? `WhatsApp ${address.slice(9)}` : address;
}

/** @param {number | null} ms */
function when(ms) {
  if (ms === null) return '';
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`;
}

/**
 * "Candidates' phones": every address that received something.
 * @param {{ address: string, channel: string, received: number, sent: number, last: { createdAt: number } }[]} rows
 * @param {string} [error]
 */
export function phonesPage(rows, error) {
  const body = rows
    .map(
      (
        row,
      ) => `<tr><td><a href="${html(phoneHref(row.address))}">${html(label(row.address))}</a></td>
<td>${row.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'}</td><td>${row.received}</td><td>${row.sent}</td><td>${when(row.last.createdAt)}</td></tr>`,
    )
    .join('\n');
  return page(
    "Candidates' phones – SMS stand-in",
    `<h1>Candidates' phones</h1>
<p class="note">Every number the product texted through this local stand-in for Twilio. Open one to read its thread and reply as the candidate. Local development only.</p>
${error ? `<p class="error" role="alert">${html(error)}</p>` : ''}
${
  rows.length
    ? `<table>
<thead><tr><th scope="col">Phone</th><th scope="col">Channel</th><th scope="col">Received</th><th scope="col">Replies</th><th scope="col">Last message</th></tr></thead>
<tbody>
${body}
</tbody>
</table>`
    : '<p>No messages yet.</p>'
}`,
  );
}

/** What the product made of a candidate's message. */
function productAnswer(product) {
  if (!product) return 'not yet delivered to the product';
  if ('error' in product) return `the product could not be reached: ${product.error}`;
  return product.status < 300
    ? `delivered to the product (${product.status})`
    : `the product answered ${product.status}`;
}

/** @param {import('./provider.mjs').MessageRecord} message */
function messageItem(message, candidate) {
  const fromCandidate = message.from === candidate;
  const text = message.contentSid
    ? `Template ${message.contentSid}${message.contentVariables ? ` with ${JSON.stringify(message.contentVariables)}` : ''}`
    : message.body;
  const status = fromCandidate
    ? productAnswer(message.product)
    : `${message.status}${message.errorCode ? ` (error ${message.errorCode}: ${message.errorMessage})` : ''}`;
  const who = fromCandidate ? `You → ${label(message.to)}` : `${label(message.from)} → you`;
  return `<li class="${fromCandidate ? 'out' : 'in'}" id="${html(message.sid)}">
<p class="meta">${when(message.createdAt)} · ${html(who)}</p>
<p class="text">${html(text)}</p>
<p class="meta">${html(status)}</p>
</li>`;
}

/**
 * One candidate's thread (SMS and WhatsApp are separate threads) and the reply form.
 * @param {{ address: string, messages: import('./provider.mjs').MessageRecord[], sender: string | null,
 *   optedOutOf: string[], windowUntil: number | null, notice: import('./provider.mjs').MessageRecord | null,
 *   refusal: string | null, draft: string }} thread
 */
export function threadPage({
  address,
  messages,
  sender,
  optedOutOf,
  windowUntil,
  notice,
  refusal,
  draft,
}) {
  const whatsapp = address.startsWith('whatsapp:');
  const facts = [
    optedOutOf.length
      ? `<p class="warn">Opted out of ${html(optedOutOf.map(label).join(', '))}: messages from there are refused with error 21610 until the candidate replies START.</p>`
      : '',
    whatsapp && sender
      ? `<p class="warn">${
          windowUntil
            ? `WhatsApp window with ${html(label(sender))} open until ${when(windowUntil)}: free-form messages are delivered.`
            : `No WhatsApp window with ${html(label(sender))}: free-form messages fail with error 63016; templates are delivered.`
        }</p>`
      : '',
  ].join('');
  const oneWay = sender !== null && !/^(whatsapp:)?\+\d+$/.test(sender);
  const form = oneWay
    ? `<p class="note">The last message came from the sender ID ${html(sender)}, which cannot receive replies.</p>`
    : sender
      ? `<form method="post" action="${html(phoneHref(address))}/reply">
<label for="reply">Reply</label>
<textarea id="reply" name="body" rows="3" required>${html(draft)}</textarea>
<p class="note">Sent as ${html(label(address))} to ${html(label(sender))}, signed like Twilio's inbound webhook.</p>
<button type="submit">Send reply</button>
</form>`
      : '<p class="note">Nothing was sent to this number yet, so there is nobody to reply to.</p>';
  return page(
    `${label(address)} – SMS stand-in`,
    `<p><a href="/">← Candidates' phones</a></p>
<h1>${html(label(address))}</h1>
<p class="note">${whatsapp ? 'WhatsApp' : 'SMS'} thread, oldest first. <a href="${html(phoneHref(address))}">Refresh</a> to see new statuses.</p>
${facts}
${notice ? `<p class="status" role="status">Your reply: ${html(productAnswer(notice.product))}.</p>` : ''}
${refusal ? `<p class="error" role="alert">${html(refusal)}</p>` : ''}
${messages.length ? `<ol class="thread">\n${messages.map((m) => messageItem(m, address)).join('\n')}\n</ol>` : '<p>No messages.</p>'}
${form}`,
  );
}
