// The consent state machine. Every source of consent (the mode, Global Privacy Control, OneTrust,
// `cxm('consent', …)`) feeds one state; the tracker only reacts to its transitions. Pure functions,
// so the tracker keeps the state and the rules stay testable on their own.
import type { ConsentMode } from '../options.js';

/** `true` granted, `false` refused or withdrawn, `undefined` not decided yet (nothing runs). */
export type ConsentState = boolean | undefined;

/**
 * Where each mode starts: `none` granted, `manual` and `onetrust` undecided. With GPC honoured and
 * set, refused for good. The starting state is not a transition.
 */
export function initialConsent(mode: ConsentMode, gpcOptOut: boolean): ConsentState {
  return gpcOptOut ? false : mode === 'none' || undefined;
}

/**
 * The state after a source reports. `none` and `manual` follow `cxm('consent', …)`; `onetrust`
 * follows OneTrust only, so a stray `cxm('consent', true)` cannot override the banner. GPC wins.
 */
export function nextConsent(
  mode: ConsentMode,
  gpcOptOut: boolean,
  state: ConsentState,
  fromOneTrust: boolean,
  granted: boolean,
): ConsentState {
  return gpcOptOut || fromOneTrust !== (mode === 'onetrust') ? state : granted;
}

/** Global Privacy Control: https://privacycg.github.io/gpc-spec/ (Firefox, Brave, DuckDuckGo). */
export function gpcSignal(): boolean {
  return (
    (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true
  );
}
