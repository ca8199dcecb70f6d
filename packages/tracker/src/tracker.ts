// The tracker's core: wires consent, identity, page views, forms and transport together. Nothing in
// here runs before consent except listening; every entry point swallows its own failures.
// `start` stays one closure (117 lines) on purpose: its parts share mutable state (consent,
// visitor, identity, the FingerprintJS run), and the smallest split tried, its listeners and
// command in a function of their own, cost 31 B min+gzip (measured when `start` was 134 lines, as
// core 2,492 B -> 2,523 B, over the 2,500 B budget) while leaving it at 113 lines. Going under 80
// would move the state into an object, whose property names terser cannot shorten.
import { gpcSignal, initialConsent, nextConsent } from './consent/index.js';
import { watchOneTrust } from './consent/onetrust.js';
import { addVisitorField, formName, removeVisitorFields, watchForms } from './forms.js';
import {
  currentVisitor,
  type FingerprintLoader,
  forgetVisitor,
  randomId,
  runFingerprint,
} from './identity.js';
import type { Options } from './options.js';
import { cleanUrl, watchNavigation } from './spa.js';
import { takeUrlToken, validToken } from './token.js';
import { browserPost, createTransport, type Post } from './transport.js';
import { type BeaconVisitor, type FormEvent, MAX_URL_LENGTH, type VisitEvent } from './wire.js';

/** `cxm('consent', true | false)`, `cxm('identify', token)`, `cxm('submit', form)`. Never throws. */
export type Command = (name: string, ...args: unknown[]) => void;

/**
 * How long FingerprintJS may take (chunk download + ~250 ms of work) before it is given up: a chunk
 * that arrives later does not run. Events never wait for it (see `onConsent`).
 */
export const FINGERPRINT_TIMEOUT_MS = 8000;

type NewEvent = Omit<VisitEvent, 'id' | 'url' | 'at'> | Omit<FormEvent, 'id' | 'url' | 'at'>;

export function start(
  options: Options,
  loadFingerprint?: FingerprintLoader,
  post: Post = browserPost,
): Command {
  let visitor: BeaconVisitor | undefined;
  let identity: string | undefined;
  /** Whether the current page view's visit has been recorded (once per page view, ever). */
  let visited = false;
  /** The API said this site's tracking is off: quiet until the next page load. */
  let off = false;
  /** Numbers the FingerprintJS runs: only run number `runs` is wanted. Bumped to abandon it. */
  let runs = 0;

  const granted = () => consent === true && !off;

  const [send, clearQueue] = createTransport(
    `${options.collector}/v1/collect`,
    // An undefined identity is left out. (`visitor` is set whenever consent is granted.)
    () => granted() && { v: 1, site: options.site, visitor: visitor!, identity },
    () => {
      off = true; // `granted()` is false from now on: nothing is recorded or sent, retries included
    },
    post,
  );

  /** Sends the event at once: the visitor is known from consent on, so nothing waits. */
  const record = (event: NewEvent) => {
    if (!granted()) return;
    // An over-long URL is cut rather than letting the API refuse the whole beacon.
    const url = cleanUrl(location.href).slice(0, MAX_URL_LENGTH);
    send([{ id: randomId(), url, at: Date.now(), ...event }]);
  };

  /**
   * FingerprintJS, unless this session's result is cached: its `fp` goes beside the visitor id in
   * the beacons sent once it is known. FingerprintJS costs 100-250 ms of main thread; its `load()`
   * waits for an idle period itself (requestIdleCallback), so it stays off the page's critical
   * path. Once consent is withdrawn (or withdrawn and granted again, which starts a new run), or
   * once the run has settled or timed out, this run's result is not wanted: FingerprintJS does
   * not start for it, and nothing is stored.
   */
  const fingerprint = () => {
    const run = ++runs;
    runFingerprint(loadFingerprint, FINGERPRINT_TIMEOUT_MS, () => runs === run).then((found) => {
      if (runs !== run) return;
      runs++; // settled (found, failed or timed out): a chunk arriving later runs nothing
      visitor = { ...visitor!, ...found };
    });
  };

  const visit = () => {
    visited = true;
    record({ type: 'visit_landing_page' });
  };

  const onConsent = (next: boolean) => {
    if (next) {
      // The stored id at once: the first beacon never waits for FingerprintJS (the id no longer
      // needs it), and beacons carry `fp` from when it is known (at once from the second page
      // view of a session, from its cache).
      visitor = currentVisitor();
      if (!visitor.fp) fingerprint();
      if (!visited) visit();
      return;
    }
    // Withdrawn (or refused): stop at once and delete what was stored. A fingerprint still being
    // loaded does not start; one already computing is discarded when it arrives.
    runs++;
    visitor = identity = undefined;
    clearQueue();
    forgetVisitor();
    removeVisitorFields();
  };

  const gpcOptOut = options.gpc && gpcSignal();
  let consent = initialConsent(options.consent, gpcOptOut);
  const report = (fromOneTrust: boolean, granted: boolean) => {
    const next = nextConsent(options.consent, gpcOptOut, consent, fromOneTrust, granted);
    if (next === consent) return;
    consent = next;
    onConsent(!!next);
  };

  watchNavigation(() => {
    visited = false;
    if (granted()) visit();
  });
  identity = takeUrlToken();

  const settleForms = watchForms(
    (form) => {
      if (options.formVisitorField && granted() && visitor) addVisitorField(form, visitor.id);
    },
    (form) => record({ type: 'submit_form', form: formName(form) }),
  );
  // `visibilitychange` to hidden is the last event every current browser fires reliably when a page
  // goes away (navigation, tab close, app switch on mobile, where `pagehide` may never come): the
  // submits still waiting to be decided are decided (and sent) now.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) safely(settleForms);
  });

  if (options.consent === 'onetrust') {
    watchOneTrust(options.onetrustCategory, (active) => safely(() => report(true, active)));
  }
  // `none` starts granted (record this page's visit), GPC starts denied (delete leftovers).
  if (consent !== undefined) onConsent(consent);

  return (name, ...args) =>
    safely(() => {
      if (name === 'consent') report(false, args[0] === true);
      if (name === 'submit') settleForms(args[0] as HTMLFormElement);
      // Sent with the events recorded from now on.
      if (name === 'identify' && validToken(args[0])) identity = args[0];
    });
}

/** No exception from the tracker ever reaches the host page. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {}
}
