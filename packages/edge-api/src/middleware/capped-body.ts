// Reads a request body as text, at most a number of bytes, for the bodies that are not JSON (the
// provider's form posts, the console's forms): nothing is parsed, or even held, past the cap. The
// cap is checked on the declared `Content-Length` and again on the bytes actually read (a chunked
// body declares none). JSON bodies have their own reader (json-body.ts), with the same rule.
import { type ApiError, apiError } from '../utils/errors.js';

export type TextResult = { ok: true; text: string } | { ok: false; error: ApiError };

export async function readCappedText(request: Request, maxBytes: number): Promise<TextResult> {
  const tooLarge: TextResult = {
    ok: false,
    error: apiError('payload_too_large', `The body is larger than ${maxBytes} bytes.`),
  };
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return tooLarge;
  if (!request.body) return { ok: true, text: '' };
  const decoder = new TextDecoder();
  const reader = request.body.getReader();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return tooLarge;
    }
    text += decoder.decode(value, { stream: true });
  }
  return { ok: true, text: text + decoder.decode() };
}
