// FingerprintJS, loaded only after consent (its own chunk: it is 16 KB of the 18 KB).
import { load } from '@fingerprintjs/fingerprintjs';
import type { Fingerprint } from './identity.js';

/**
 * The FingerprintJS id (`fp`, sent beside the visitor id, never as it) with the algorithm version
 * and confidence: ids are stable only within a FingerprintJS minor version, so the API must know
 * which version made one. `monitoring: false` stops the vendor request FingerprintJS otherwise
 * sends on a share of loads.
 */
export async function fingerprint(live: () => boolean): Promise<Fingerprint> {
  // Consent withdrawn while the chunk was loading, or the tracker stopped waiting (time limit):
  // FingerprintJS does not start (no canvas, WebGL, audio, cookie test).
  if (!live()) throw new Error('not wanted');
  const agent = await load({ monitoring: false });
  const result = await agent.get();
  return {
    fp: result.visitorId,
    version: result.version,
    confidence: result.confidence.score,
  };
}
