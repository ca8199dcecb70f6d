// Secrets at rest: a sealed value opens with the key that sealed it (or the previous one during a
// rotation), only in the row it was sealed for, and says nothing of the plaintext.
import { describe, expect, it } from 'vitest';
import { seal, unseal } from './sealed.js';

const OLD = { current: 'old-secrets-key' };
const NEW = { current: 'new-secrets-key', previous: 'old-secrets-key' };

describe('sealed secrets', () => {
  it('round-trips, with a fresh IV each time and the plaintext nowhere in the value', async () => {
    const a = await seal(OLD, 'client-secret-123', 'oidc_client_secret:org_a');
    const b = await seal(OLD, 'client-secret-123', 'oidc_client_secret:org_a');
    expect(a).not.toBe(b);
    expect(a).not.toContain('client-secret-123');
    expect(a).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+$/);
    expect(await unseal(OLD, a, 'oidc_client_secret:org_a')).toBe('client-secret-123');
  });

  it('opens only in the row it was sealed for', async () => {
    const sealed = await seal(OLD, 'client-secret-123', 'oidc_client_secret:org_a');
    expect(await unseal(OLD, sealed, 'oidc_client_secret:org_b')).toBeNull();
  });

  it('keeps opening values sealed before a rotation while the old key is the previous one', async () => {
    const before = await seal(OLD, 's1', 'ctx');
    const after = await seal(NEW, 's2', 'ctx');
    expect(before.split('.')[1]).not.toBe(after.split('.')[1]);
    expect(await unseal(NEW, before, 'ctx')).toBe('s1');
    expect(await unseal(NEW, after, 'ctx')).toBe('s2');
    // Once the old key is gone, what it sealed no longer opens (save the settings again first).
    expect(await unseal({ current: 'new-secrets-key' }, before, 'ctx')).toBeNull();
  });

  it('refuses tampered and malformed values without throwing', async () => {
    const sealed = await seal(OLD, 'secret', 'ctx');
    const [v, id, iv, body] = sealed.split('.');
    const flipped = `${body?.slice(0, -2)}${body?.endsWith('A') ? 'B' : 'A'}${body?.slice(-1)}`;
    for (const bad of [
      `${v}.${id}.${iv}.${flipped}`,
      `v2.${id}.${iv}.${body}`,
      `${v}.${id}.${iv}`,
      `${v}.${id}.${iv}.${body}.extra`,
      `${v}.${id}.!!!.${body}`,
      '',
    ]) {
      expect(await unseal(OLD, bad, 'ctx'), bad).toBeNull();
    }
  });
});
