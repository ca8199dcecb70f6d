// Entry of `t.js`, the IIFE the snippet loads: reads its options from its own script tag, replaces
// the queue stub with the tracker and replays the queued calls. Defines no global but `cxm`.
import { isAutomated } from './automation.js';
import type { FingerprintLoader } from './identity.js';
import { fromScript } from './options.js';
import { type Command, safely, start } from './tracker.js';

/** The fingerprint chunk's file name under `t/`, content-hashed; set by the build. */
declare const __FP_FILE__: string;

type Api = Command & { q?: Iterable<unknown>[]; loaded?: boolean };
const w = window as Window & { cxm?: Api };

safely(() => {
  const stub = w.cxm;
  if (stub?.loaded) return; // the snippet pasted twice
  // `currentScript` is set while a classic script runs, async and injected ones included (tag
  // managers insert a copy of the tag, attributes and all).
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script?.src) return;

  const options = fromScript(script, new URL(script.src).origin);
  let command: Command = () => {};
  let chunkArrived: ((get: unknown) => void) | undefined;
  const api: Api = (name, ...args) => {
    // Only resolves a promise: whatever was passed is called inside the tracker's own error handling.
    if (name === '_fp') return chunkArrived?.(args[0]);
    command(name, ...args);
  };
  api.loaded = true;
  w.cxm = api;
  if (!options.site || (isAutomated() && !options.allowAutomation)) return;
  /** The chunk, requested once per page: a second run (consent withdrawn and granted again) waits
   * for the same one. */
  let chunk: Promise<FingerprintLoader> | undefined;
  command = start(options, (live) => {
    chunk ||= new Promise((resolve, reject) => {
      chunkArrived = resolve as (get: unknown) => void;
      const tag = document.createElement('script');
      // From the script's own folder: the origin the site's CSP already allows for `t.js`.
      tag.src = new URL(`t/${__FP_FILE__}`, script.src).href;
      tag.onerror = reject;
      document.head.append(tag);
    });
    // Consent withdrawn while the chunk loaded, or the run gave up waiting: FingerprintJS does not
    // start, because `fingerprint` checks `live()` before its `load()` (and rejects).
    return chunk.then((get) => get(live));
  });
  // The stub queued `arguments` objects, which are iterable.
  for (const args of stub?.q ?? []) api(...(args as [string]));
});
