// The Twilio provider the sender talks to, with a fake fetch: the request it makes (Twilio's
// Messages API: form-encoded, basic auth, status callback; templates as ContentSid), how each
// answer is classed (accepted, final, retryable: what `deliver` relies on) and the webhook
// signature check.
import { describe, expect, it } from 'vitest';
import { twilioSignature } from '../../messaging/provider/index.js';
import { createTwilio } from '../../messaging/provider/twilio.js';

interface Call {
  url: string;
  init: RequestInit;
}

function twilio(answer: () => Response | Promise<Response>) {
  const calls: Call[] = [];
  const provider = createTwilio({
    accountSid: 'AC123',
    authToken: 'secret-token',
    baseUrl: 'https://twilio.test/',
    fetch: async (input, init) => {
      calls.push({ url: String(input), init: init ?? {} });
      return answer();
    },
  });
  return { provider, calls };
}

const text = {
  to: '+12025550123',
  from: '+12025550100',
  body: 'Hello',
  statusCallback: 'https://api.example.com/v1/providers/twilio/status',
};

const reply = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('createTwilio: send', () => {
  it('posts the form to Messages.json with basic auth and answers the sid', async () => {
    const { provider, calls } = twilio(() => reply(201, { sid: 'SM1', status: 'queued' }));
    expect(await provider.send(text)).toEqual({ ok: true, providerSid: 'SM1', status: 'queued' });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('https://twilio.test/2010-04-01/Accounts/AC123/Messages.json');
    expect(call?.init.method).toBe('POST');
    const headers = new Headers(call?.init.headers);
    expect(headers.get('authorization')).toBe(`Basic ${btoa('AC123:secret-token')}`);
    expect(headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(String(call?.init.body));
    expect(Object.fromEntries(form)).toEqual({
      To: '+12025550123',
      From: '+12025550100',
      Body: 'Hello',
      StatusCallback: text.statusCallback,
    });
  });

  it('a template goes as ContentSid with ContentVariables, without a Body', async () => {
    const { provider, calls } = twilio(() => reply(201, { sid: 'SM2' }));
    await provider.send({
      ...text,
      to: 'whatsapp:+12025550123',
      from: 'whatsapp:+12025550199',
      body: null,
      templateId: 'HX123',
      variables: { 1: 'Sam' },
    });
    const form = new URLSearchParams(String(calls[0]?.init.body));
    expect(form.get('ContentSid')).toBe('HX123');
    expect(form.get('ContentVariables')).toBe(JSON.stringify({ 1: 'Sam' }));
    expect(form.has('Body')).toBe(false);
    expect(form.get('To')).toBe('whatsapp:+12025550123');
  });

  it.each([
    [400, '21211', false],
    [400, '21610', false],
    [400, '63016', false],
    [400, '21602', false],
    [429, '20429', true],
    [500, '20500', true],
    [503, '21610', false],
  ])('HTTP %d with code %s: retryable %s', async (status, code, retryable) => {
    const { provider } = twilio(() => reply(status, { code: Number(code), message: 'why' }));
    expect(await provider.send(text)).toEqual({ ok: false, retryable, code, message: 'why' });
  });

  it('a 5xx without a JSON body is retryable with an http_ code', async () => {
    const { provider } = twilio(() => new Response('Bad gateway', { status: 502 }));
    expect(await provider.send(text)).toMatchObject({
      ok: false,
      retryable: true,
      code: 'http_502',
    });
  });

  it('a network failure is retryable (unreachable), not thrown', async () => {
    const { provider } = twilio(() => {
      throw new TypeError('fetch failed');
    });
    expect(await provider.send(text)).toMatchObject({
      ok: false,
      retryable: true,
      code: 'unreachable',
    });
  });
});

describe('createTwilio: verify', () => {
  const url = 'https://api.example.com/v1/providers/twilio/status';
  const params = new URLSearchParams({ MessageSid: 'SM1', MessageStatus: 'sent', B: '2', A: '1' });

  it('accepts the signature over the URL and the sorted parameters, nothing else', async () => {
    const { provider } = twilio(() => reply(201, {}));
    const good = await twilioSignature('secret-token', url, params);
    expect(await provider.verify(url, params, good)).toBe(true);
    expect(await provider.verify(url, params, null)).toBe(false);
    expect(await provider.verify(url, params, '')).toBe(false);
    expect(await provider.verify(`${url}?x=1`, params, good)).toBe(false);
    const tampered = new URLSearchParams(params);
    tampered.set('MessageStatus', 'delivered');
    expect(await provider.verify(url, tampered, good)).toBe(false);
    expect(await provider.verify(url, params, await twilioSignature('other', url, params))).toBe(
      false,
    );
  });

  it("matches Twilio's documented example signature", async () => {
    // https://www.twilio.com/docs/usage/security#validating-requests
    const example = new URLSearchParams({
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    });
    expect(
      await twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', example),
    ).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });
});
