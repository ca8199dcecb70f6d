// Entry of `t/fp.<hash>.js`, the chunk the snippet build injects after consent: it hands
// `fingerprint` to the tracker through the one global it owns, and defines none of its own.
import { fingerprint } from './fingerprint.js';

try {
  (window as Window & { cxm?: (name: string, ...args: unknown[]) => void }).cxm?.(
    '_fp',
    fingerprint,
  );
} catch {}
