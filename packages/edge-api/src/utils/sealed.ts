// Secrets at rest (the identity provider's client secret today): AES-256-GCM under a key derived
// with HKDF-SHA256 from the Worker secret `SECRETS_KEY`. A sealed value reads
// `v1.<key id>.<iv>.<ciphertext>`: it names the key that sealed it, so the key can rotate (the
// current key seals; the current or `SECRETS_KEY_PREVIOUS` opens). The row it belongs to is the
// additional data, so a sealed value copied into another organisation's row does not open.
import { aesKey, base64url, fromBase64url, hex, sha256, utf8 } from './encoding.js';

export interface SealingSecrets {
  current: string;
  previous?: string | undefined;
}

/** The Worker's sealing keys: `SECRETS_KEY`, and `SECRETS_KEY_PREVIOUS` while rotating. */
export function sealingSecrets(env: {
  SECRETS_KEY: string;
  SECRETS_KEY_PREVIOUS?: string | undefined;
}): SealingSecrets {
  return { current: env.SECRETS_KEY, previous: env.SECRETS_KEY_PREVIOUS };
}

interface SealingKey {
  id: string;
  key: CryptoKey;
}

const keys = new Map<string, Promise<SealingKey>>();

function sealingKey(secret: string): Promise<SealingKey> {
  let key = keys.get(secret);
  if (!key) {
    key = (async () => {
      const derived = await aesKey(secret, 'cxm sealed v1');
      // The id names the key without revealing it: 8 hex characters of a hash of the secret.
      return { id: hex(await sha256(`cxm key id:${secret}`)).slice(0, 8), key: derived };
    })();
    key.catch(() => keys.delete(secret));
    keys.set(secret, key);
  }
  return key;
}

export async function seal(
  secrets: SealingSecrets,
  plaintext: string,
  context: string,
): Promise<string> {
  const { id, key } = await sealingKey(secrets.current);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(context) },
    key,
    utf8(plaintext),
  );
  return `v1.${id}.${base64url(iv)}.${base64url(new Uint8Array(ciphertext))}`;
}

/** The plaintext, or null when the value is malformed, sealed for another row or by an unknown key. */
export async function unseal(
  secrets: SealingSecrets,
  sealed: string,
  context: string,
): Promise<string | null> {
  const [version, id, ivText, bodyText, ...rest] = sealed.split('.');
  if (version !== 'v1' || rest.length > 0 || !ivText || !bodyText) return null;
  const iv = fromBase64url(ivText);
  const body = fromBase64url(bodyText);
  if (!iv || !body || iv.length !== 12) return null;
  for (const secret of [secrets.current, secrets.previous]) {
    if (!secret) continue;
    const key = await sealingKey(secret);
    if (key.id !== id) continue;
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: utf8(context) },
        key.key,
        body,
      );
      return new TextDecoder().decode(plain);
    } catch {
      return null;
    }
  }
  return null;
}
