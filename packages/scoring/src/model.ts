// The default scoring model and the validation every model passes before it is used.
import {
  ENGAGEMENT_TYPES,
  type ModelError,
  type ModelValidation,
  type ScoringModel,
} from './types.js';

/**
 * Defaults, and why (the README explains them with a worked example):
 * - Weights follow intent: attending an event (10) is a stronger signal than registering (6),
 *   which beats submitting a form (4), a deliberate click on a recruiter's link in an email or a
 *   text message (3 each), and the cheap signals, a page visit or an email open (1 each).
 * - A 30-day half-life: recruiting cycles run in weeks, so a month-old engagement is worth half.
 * - Engaged from 5 points: one recent event attendance, or a registration plus a click.
 *   Highly engaged from 15: repeated strong signals within about a month.
 * - Daily windows: the same subject, URL, form or event counts once a day; at most a few of
 *   each type count a day, so a candidate refreshing pages cannot outscore one attending events.
 * - Machine opens (privacy proxies prefetching every pixel) count nothing.
 * - 10 % hysteresis keeps a stored tier from flapping around a threshold.
 */
export const DEFAULT_MODEL: ScoringModel = deepFreeze({
  weights: {
    open_email: 1,
    click_email: 3,
    visit_landing_page: 1,
    submit_form: 4,
    register_event: 6,
    attend_event: 10,
    click_message: 3,
  },
  halfLifeDays: 30,
  thresholds: { engaged: 5, highlyEngaged: 15 },
  window: {
    hours: 24,
    caps: {
      open_email: 3,
      click_email: 3,
      visit_landing_page: 5,
      submit_form: 2,
      register_event: 2,
      attend_event: 2,
      click_message: 3,
    },
  },
  machineFactor: 0,
  hysteresis: 0.1,
});

/**
 * Bounds that keep every score a finite number: weights up to a million points, half-lives from
 * an hour to a century, thresholds up to a billion points, windows from a minute to a year.
 * Outside them doubles overflow or underflow into Infinity, NaN or silent zeros.
 */
export const MODEL_BOUNDS = {
  maxWeight: 1_000_000,
  halfLifeDays: { min: 1 / 24, max: 36_500 },
  maxThreshold: 1_000_000_000,
  windowHours: { min: 1 / 60, max: 8_760 },
} as const;

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Records one problem at `path` (dotted, into the model). */
type Report = (path: string, message: string) => void;

/** A number for each engagement type, each passed to `check`; any other key is reported. */
function checkPerType(
  report: Report,
  path: string,
  value: unknown,
  check: (v: unknown, at: string) => void,
) {
  if (!isRecord(value)) {
    report(path, `${path} must be an object with a number for each engagement type`);
    return;
  }
  for (const type of ENGAGEMENT_TYPES) check(value[type], `${path}.${type}`);
  for (const key of Object.keys(value)) {
    if (!(ENGAGEMENT_TYPES as readonly string[]).includes(key)) {
      report(
        `${path}.${key}`,
        `unknown engagement type "${key}"; expected one of ${ENGAGEMENT_TYPES.join(', ')}`,
      );
    }
  }
}

/** A number greater than 0 and within [min, max]; `unit` names the bounds in messages. */
function checkPositive(
  report: Report,
  path: string,
  value: unknown,
  bounds: { min: number; max: number },
  unit = '',
) {
  if (!isFiniteNumber(value) || value <= 0) {
    report(path, `${path} must be a number greater than 0 (got ${JSON.stringify(value)})`);
  } else if (value < bounds.min || value > bounds.max) {
    const show = (bound: number) => Number(bound.toPrecision(3));
    report(
      path,
      `${path} must be from ${show(bounds.min)} to ${show(bounds.max)}${unit} (got ${value})`,
    );
  }
}

function checkWeights(report: Report, weights: unknown) {
  checkPerType(report, 'weights', weights, (value, at) => {
    if (!isFiniteNumber(value)) report(at, `${at} must be a finite number`);
    else if (value < 0) report(at, `${at} must not be negative (got ${value})`);
    else if (value > MODEL_BOUNDS.maxWeight) {
      report(at, `${at} must be at most ${MODEL_BOUNDS.maxWeight} (got ${value})`);
    }
  });
}

function checkThresholds(report: Report, thresholds: unknown) {
  if (!isRecord(thresholds)) {
    report('thresholds', 'thresholds must be an object { engaged, highlyEngaged }');
    return;
  }
  const { engaged, highlyEngaged } = thresholds;
  const bounds = { min: 0, max: MODEL_BOUNDS.maxThreshold };
  checkPositive(report, 'thresholds.engaged', engaged, bounds, ' points');
  checkPositive(report, 'thresholds.highlyEngaged', highlyEngaged, bounds, ' points');
  if (isFiniteNumber(engaged) && isFiniteNumber(highlyEngaged) && highlyEngaged <= engaged) {
    report(
      'thresholds',
      `thresholds must increase: highlyEngaged (${highlyEngaged}) must be greater than engaged (${engaged})`,
    );
  }
}

function checkWindow(report: Report, window: unknown) {
  if (!isRecord(window)) {
    report('window', 'window must be an object { hours, caps }');
    return;
  }
  checkPositive(report, 'window.hours', window.hours, MODEL_BOUNDS.windowHours, ' hours');
  checkPerType(report, 'window.caps', window.caps, (value, at) => {
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 100) {
      report(at, `${at} must be a whole number from 1 to 100 (got ${JSON.stringify(value)})`);
    }
  });
}

/** `machineFactor` in [0, 1] and `hysteresis` in [0, 1). */
function checkFactors(report: Report, model: Record<string, unknown>) {
  const { machineFactor, hysteresis } = model;
  if (!isFiniteNumber(machineFactor) || machineFactor < 0 || machineFactor > 1) {
    report(
      'machineFactor',
      `machineFactor must be a number from 0 to 1 (got ${JSON.stringify(machineFactor)})`,
    );
  }
  if (!isFiniteNumber(hysteresis) || hysteresis < 0 || hysteresis >= 1) {
    report(
      'hysteresis',
      `hysteresis must be a number from 0 up to (not including) 1 (got ${JSON.stringify(hysteresis)})`,
    );
  }
}

/**
 * Fills the engagement types a model leaves out of `weights` and `window.caps` with the default
 * model's values: a model saved before a type existed keeps working, and gains the new type at
 * its default. Anything else is returned as it came, for `validateModel` to judge.
 */
export function completeModel(model: unknown): unknown {
  if (!isRecord(model)) return model;
  const fill = (value: unknown, defaults: Readonly<Record<string, number>>) =>
    isRecord(value) ? { ...defaults, ...value } : value;
  const window = isRecord(model.window)
    ? { ...model.window, caps: fill(model.window.caps, DEFAULT_MODEL.window.caps) }
    : model.window;
  return { ...model, weights: fill(model.weights, DEFAULT_MODEL.weights), window };
}

/** Checks a model (for example one a manager sent as JSON) and lists every problem found. */
export function validateModel(model: unknown): ModelValidation {
  if (!isRecord(model)) {
    return { ok: false, errors: [{ path: '', message: 'model must be an object' }] };
  }
  const errors: ModelError[] = [];
  const report: Report = (path, message) => errors.push({ path, message });
  // In the order of the model's fields, so the list reads top to bottom.
  checkWeights(report, model.weights);
  checkPositive(report, 'halfLifeDays', model.halfLifeDays, MODEL_BOUNDS.halfLifeDays, ' days');
  checkThresholds(report, model.thresholds);
  checkWindow(report, model.window);
  checkFactors(report, model);
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}
