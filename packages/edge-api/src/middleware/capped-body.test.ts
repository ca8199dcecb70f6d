import { describe, expect, it } from 'vitest';
import { MAX_FORM_BYTES } from '../console/forms.js';
import { errorOf, request } from '../test/client.js';
import { readCappedText } from './capped-body.js';

/** A body streamed in 1 KB chunks with no Content-Length, as a chunked upload arrives. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const size = Math.min(1024, bytes - sent);
      sent += size;
      controller.enqueue(new TextEncoder().encode('a'.repeat(size)));
    },
  });
}

describe('readCappedText', () => {
  it('reads a body up to the cap and refuses one byte more, declared or not', async () => {
    const post = (body: BodyInit) => new Request('http://api.test/', { method: 'POST', body });
    expect(await readCappedText(post('é'.repeat(8)), 16)).toEqual({
      ok: true,
      text: 'é'.repeat(8),
    });
    for (const body of ['x'.repeat(17), chunked(17)]) {
      const read = await readCappedText(post(body), 16);
      expect(read.ok).toBe(false);
      if (!read.ok) expect(read.error.code).toBe('payload_too_large');
    }
  });
});

describe('body caps on the form posts', () => {
  it('refuses a provider webhook over 16 KB with 413, before checking its signature', async () => {
    for (const body of ['MessageSid=SM1&Body='.padEnd(17 * 1024, 'a'), chunked(17 * 1024)]) {
      const reply = await request('/v1/providers/twilio/inbound', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(reply.status).toBe(413);
      expect((await errorOf(reply)).code).toBe('payload_too_large');
    }
  });

  it('refuses a console form over the cap with 413 and the JSON error', async () => {
    for (const body of [`org=${'a'.repeat(MAX_FORM_BYTES)}`, chunked(MAX_FORM_BYTES + 1)]) {
      const reply = await request('/console/sign-in', {
        method: 'POST',
        headers: {
          origin: 'http://api.test',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      });
      expect(reply.status).toBe(413);
      const error = await errorOf(reply);
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toContain(String(MAX_FORM_BYTES));
    }
  });
});
