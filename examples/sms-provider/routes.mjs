// The stand-in's HTTP surface: Twilio's REST API (basic auth), the candidates' phone pages and
// the JSON API tests drive it with. Routing and encoding only; the behaviour is provider.mjs's.
import { createHash, timingSafeEqual } from 'node:crypto';
import { phonesPage, threadPage } from './phone-pages.mjs';
import { API_VERSION, AUTHENTICATE, messageResource, twilioError } from './twilio.mjs';

/** The stand-in's own view of a message for tests (`/api/messages`): ISO dates, camelCase. */
function messageView(message) {
  const iso = (ms) => (ms === null ? null : new Date(ms).toISOString());
  return {
    sid: message.sid,
    direction: message.direction,
    channel: message.channel,
    from: message.from,
    to: message.to,
    body: message.body,
    contentSid: message.contentSid,
    contentVariables: message.contentVariables,
    messagingServiceSid: message.messagingServiceSid,
    status: message.status,
    errorCode: message.errorCode,
    errorMessage: message.errorMessage,
    numSegments: message.numSegments,
    dateCreated: iso(message.createdAt),
    dateUpdated: iso(message.updatedAt),
    dateSent: iso(message.sentAt),
    statusCallback: message.statusCallback,
    callbacks: message.callbacks,
    product: message.product,
  };
}

/**
 * An address from a query string or a form, forgiving the `+` a URL turns into a space
 * (`?to=+15551234567` arrives as " 15551234567").
 * @param {string | null} value
 */
function address(value) {
  return (value ?? '').replace(/^(whatsapp:)? (?=\d)/, '$1+').trim();
}

/** Routes: Twilio's API, the phone pages, the JSON API for tests. */
export function createHandler({ config, state, api, phone, reset }) {
  const accountPrefix = `/${API_VERSION}/Accounts/${config.accountSid}`;
  const messagesPath = `${accountPrefix}/Messages`;
  const accountsPrefix = `/${API_VERSION}/Accounts/`;

  return async function handle(request, response) {
    try {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const path = url.pathname;
      const method = request.method ?? 'GET';
      if (path.startsWith(accountsPrefix)) return await twilioApi(request, response, path, method);
      if (path === '/healthz') return json(response, 200, { ok: true });
      if (path.startsWith('/api/')) return await testApi(request, response, url, method);
      return await pages(request, response, url, method);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`[sms-provider] ${message}\n`);
      if (!response.headersSent) json(response, 500, { error: { code: 'internal', message } });
      else response.end();
    }
  };

  async function twilioApi(request, response, path, method) {
    // Credentials for one account do not open another's URLs: Twilio answers 20003 as well.
    if (!authenticated(request, config) || !path.startsWith(`${accountPrefix}/`)) {
      request.resume();
      response.setHeader('www-authenticate', 'Basic realm="Twilio API"');
      return json(response, 401, AUTHENTICATE);
    }
    if (path === `${messagesPath}.json` && method === 'POST') {
      const { status, body } = api.create(new URLSearchParams(await readBody(request)));
      return json(response, status, body);
    }
    const one =
      path.startsWith(`${messagesPath}/`) &&
      /^\/(SM[0-9a-f]{32})\.json$/.exec(path.slice(messagesPath.length));
    const message = one && method === 'GET' && state.messages.find((m) => m.sid === one[1]);
    if (message) return json(response, 200, messageResource(message));
    request.resume();
    return json(
      response,
      404,
      twilioError(20404, `The requested resource ${path} was not found`, 404),
    );
  }

  async function testApi(request, response, url, method) {
    const path = url.pathname;
    if (path === '/api/messages' && method === 'GET') {
      const to = url.searchParams.has('to') ? address(url.searchParams.get('to')) : null;
      const from = url.searchParams.has('from') ? address(url.searchParams.get('from')) : null;
      const messages = state.messages.filter(
        (m) => (to === null || m.to === to) && (from === null || m.from === from),
      );
      return json(response, 200, messages.map(messageView));
    }
    if (path === '/api/inbound' && method === 'POST') {
      let input;
      try {
        input = JSON.parse((await readBody(request)) || '{}');
      } catch {
        return json(response, 400, {
          error: { code: 'invalid_json', message: 'The body must be JSON.' },
        });
      }
      const result = await phone.receive(input ?? {});
      if ('error' in result) return json(response, 400, result);
      const { message, replies } = result;
      return json(response, 200, {
        message: messageView(message),
        product: message.product,
        replies: replies.map(messageView),
      });
    }
    if (path === '/api/opt-outs' && method === 'GET') {
      const optOuts = [...state.optOuts].map((key) => {
        const [candidate, sender] = key.split(' ');
        return { candidate, sender };
      });
      return json(response, 200, optOuts);
    }
    request.resume();
    if (path === '/api/reset' && method === 'POST') {
      reset();
      return json(response, 200, { ok: true });
    }
    return json(response, 404, { error: { code: 'not_found', message: `No ${method} ${path}.` } });
  }

  async function pages(request, response, url, method) {
    const path = url.pathname;
    if (path === '/' && method === 'GET') return html(response, 200, phonesPage(phone.phoneRows()));
    const match = /^\/phone\/([^/]+)(\/reply)?$/.exec(path);
    const thread = match ? decoded(match[1]) : '';
    if (thread && !match[2] && method === 'GET') {
      const notice = url.searchParams.get('sent');
      return html(response, 200, threadPage(phone.threadOf(thread, notice)));
    }
    if (thread && match[2] && method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      const result = await phone.receive({ from: thread, body: form.get('body') ?? '' });
      if ('error' in result) {
        return html(
          response,
          400,
          threadPage({
            ...phone.threadOf(thread, null),
            refusal: result.error.message,
            draft: form.get('body') ?? '',
          }),
        );
      }
      response.writeHead(303, {
        location: `/phone/${encodeURIComponent(thread)}?sent=${result.message.sid}#reply`,
      });
      return response.end();
    }
    request.resume();
    if (path === '/favicon.ico') {
      response.writeHead(204);
      return response.end();
    }
    return html(response, 404, phonesPage(phone.phoneRows(), `There is no page at ${path}.`));
  }
}

/** A path segment decoded, or '' when it is not valid percent-encoding. @param {string} segment */
function decoded(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/**
 * HTTP Basic with the account's SID and auth token, compared in constant time.
 * @param {import('node:http').IncomingMessage} request @param {{ accountSid: string, authToken: string }} config
 */
function authenticated(request, config) {
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return false;
  const digest = (text) => createHash('sha256').update(text).digest();
  const given = digest(Buffer.from(match[1], 'base64').toString('utf8'));
  return timingSafeEqual(given, digest(`${config.accountSid}:${config.authToken}`));
}

/** A request body, at most 64 kB. @param {import('node:http').IncomingMessage} request */
async function readBody(request) {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 65_536) throw new Error('request body too large');
  }
  return body;
}

/** @param {import('node:http').ServerResponse} response @param {number} status @param {unknown} body */
function json(response, status, body) {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(`${JSON.stringify(body)}\n`);
}

/** @param {import('node:http').ServerResponse} response @param {number} status @param {string} body */
function html(response, status, body) {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}
