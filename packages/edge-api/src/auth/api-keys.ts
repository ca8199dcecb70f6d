// API keys: `Authorization: Bearer <secret>`. Only the SHA-256 of a secret is stored (keys are
// long random strings in production, so a fast hash is enough); a short prefix is kept for
// display. Checking a key against a route's role is `require-role.ts`.
import { sha256Hex } from '../utils/encoding.js';

export function hashApiKey(secret: string): Promise<string> {
  return sha256Hex(secret);
}

/** The part of a key shown in lists: enough to tell keys apart, useless to an attacker. */
export function keyPrefix(secret: string): string {
  return secret.slice(0, 8);
}
