// The npm build: `init(options)` returns the `cxm` command function (no global is defined), and
// FingerprintJS arrives through a dynamic `import()` after consent.
import { isAutomated } from './automation.js';
import { type Options, withDefaults } from './options.js';
import { type Command, start } from './tracker.js';

export type { ConsentMode, Options } from './options.js';
export { DEFAULTS } from './options.js';
export { STUB, snippet } from './snippet.js';
export type { Command } from './tracker.js';
export type * from './wire.js';

export function init(options: Partial<Options> & Pick<Options, 'site' | 'collector'>): Command {
  const resolved = withDefaults(options);
  if (!resolved.site || (isAutomated() && !resolved.allowAutomation)) return () => {};
  try {
    return start(resolved, (live) => import('./fingerprint.js').then((m) => m.fingerprint(live)));
  } catch {
    return () => {};
  }
}
