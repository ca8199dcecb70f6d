import { describe, expect, it } from 'vitest';
import { mintIdentityToken, mintToken, verifyToken } from './tokens.js';

const SECRET = 'unit-test-secret';
const now = Date.UTC(2026, 10, 23);

describe('signed tokens', () => {
  it('verify what was minted with the same secret', async () => {
    const token = await mintIdentityToken(SECRET, { orgId: 'demo', candidateId: 'c-1', now });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const result = await verifyToken(SECRET, token, { kind: 'identity', now });
    expect(result).toMatchObject({ ok: true, payload: { k: 'identity', o: 'demo', c: 'c-1' } });
  });

  it('refuse another secret, a changed payload, expiry and the wrong kind', async () => {
    const token = await mintIdentityToken(SECRET, {
      orgId: 'demo',
      candidateId: 'c-1',
      now,
      ttlSeconds: 60,
    });
    expect(await verifyToken('other', token, { kind: 'identity', now })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const [, sig] = token.split('.');
    const forgedBody = btoa(JSON.stringify({ k: 'identity', o: 'demo', c: 'c-2', x: 9e9 }))
      .replaceAll('=', '')
      .replaceAll('+', '-')
      .replaceAll('/', '_');
    expect(
      await verifyToken(SECRET, `${forgedBody}.${sig}`, { kind: 'identity', now }),
    ).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(await verifyToken(SECRET, token, { kind: 'identity', now: now + 61_000 })).toMatchObject(
      { ok: false, reason: 'expired', payload: { c: 'c-1' } },
    );
    const click = await mintToken(SECRET, { k: 'click', o: 'demo', c: 'c-1', x: now / 1000 + 60 });
    expect(await verifyToken(SECRET, click, { kind: 'identity', now })).toEqual({
      ok: false,
      reason: 'wrong_kind',
    });
  });

  it('are opaque: nothing of the payload is readable, and each minting differs', async () => {
    const input = { orgId: 'org-visible', candidateId: 'CAND-2024-000123', now };
    const token = await mintIdentityToken(SECRET, input);
    const readable = token
      .split('.')
      .map((part) => atob(part.replaceAll('-', '+').replaceAll('_', '/')))
      .join('');
    expect(readable).not.toMatch(/org-visible|CAND-2024-000123|identity/);
    expect(await mintIdentityToken(SECRET, input)).not.toBe(token);
  });

  it('honour a signed token minted before encryption (a plain JSON body), and refuse it re-signed', async () => {
    const encode = (text: string) =>
      btoa(text).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_');
    const body = encode(
      JSON.stringify({ k: 'open', o: 'demo', c: 'c-9', x: now / 1000 + 60, l: 'l1' }),
    );
    const { hmacSha256, base64url } = await import('../utils/encoding.js');
    const legacy = `${body}.${base64url(await hmacSha256(SECRET, body))}`;
    expect(await verifyToken(SECRET, legacy, { kind: 'open', now })).toMatchObject({
      ok: true,
      payload: { c: 'c-9', l: 'l1' },
    });
    const other = `${body}.${base64url(await hmacSha256('other', body))}`;
    expect(await verifyToken(SECRET, other, { kind: 'open', now })).toMatchObject({ ok: false });
  });

  it('accept any of the kinds a place lists', async () => {
    const code = await mintIdentityToken(SECRET, {
      orgId: 'demo',
      candidateId: 'c-1',
      now,
      kind: 'code',
    });
    expect(await verifyToken(SECRET, code, { kind: ['identity', 'code'], now })).toMatchObject({
      ok: true,
      payload: { k: 'code' },
    });
    expect(await verifyToken(SECRET, code, { kind: 'identity', now })).toEqual({
      ok: false,
      reason: 'wrong_kind',
    });
  });

  it('never throw on garbage', async () => {
    for (const garbage of ['', '.', 'a.b.c', '!!!.???', 'e30.e30', 'x'.repeat(5000)]) {
      const result = await verifyToken(SECRET, garbage, { kind: 'identity', now });
      expect(result.ok).toBe(false);
    }
  });
});
