import { describe, expect, it } from 'vitest';
import { completeModel, DEFAULT_MODEL, validateModel } from './model.js';
import type { ScoringModel } from './types.js';

const withChange = (change: (model: ScoringModel) => void): ScoringModel => {
  const model = structuredClone(DEFAULT_MODEL) as ScoringModel;
  change(model);
  return model;
};

const messages = (model: unknown) => {
  const result = validateModel(model);
  return result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
};

describe('DEFAULT_MODEL', () => {
  it('is valid', () => {
    expect(validateModel(DEFAULT_MODEL)).toEqual({ ok: true });
  });

  it('ranks attending above registering above a form above a click above a visit or an open', () => {
    const w = DEFAULT_MODEL.weights;
    expect(w.attend_event).toBeGreaterThan(w.register_event);
    expect(w.register_event).toBeGreaterThan(w.submit_form);
    expect(w.submit_form).toBeGreaterThan(w.click_email);
    expect(w.click_email).toBeGreaterThan(w.visit_landing_page);
    expect(w.click_email).toBeGreaterThan(w.open_email);
  });

  it("weighs a click on a text message's link like a click in an email", () => {
    expect(DEFAULT_MODEL.weights.click_message).toBe(DEFAULT_MODEL.weights.click_email);
    expect(DEFAULT_MODEL.window.caps.click_message).toBe(DEFAULT_MODEL.window.caps.click_email);
  });

  it('cannot be changed by accident', () => {
    expect(() => {
      (DEFAULT_MODEL.weights as Record<string, number>).open_email = 100;
    }).toThrow(TypeError);
  });
});

describe('validateModel', () => {
  it('names a negative weight', () => {
    expect(messages(withChange((m) => (m.weights.open_email = -1)))).toEqual([
      'weights.open_email: weights.open_email must not be negative (got -1)',
    ]);
  });

  it('names thresholds that do not increase', () => {
    expect(
      messages(withChange((m) => (m.thresholds = { engaged: 10, highlyEngaged: 10 }))),
    ).toEqual([
      'thresholds: thresholds must increase: highlyEngaged (10) must be greater than engaged (10)',
    ]);
  });

  it('refuses a half-life of zero or less', () => {
    expect(messages(withChange((m) => (m.halfLifeDays = 0)))).toEqual([
      'halfLifeDays: halfLifeDays must be a number greater than 0 (got 0)',
    ]);
  });

  it('lists every problem at once, including missing and unknown types', () => {
    const model = withChange((m) => {
      (m.weights as Record<string, number>).tweet = 2;
      delete (m.weights as Partial<Record<string, number>>).attend_event;
      m.window.caps.open_email = 0;
      m.machineFactor = 2;
      m.hysteresis = 1;
    });
    expect(messages(model)).toEqual([
      'weights.attend_event: weights.attend_event must be a finite number',
      'weights.tweet: unknown engagement type "tweet"; expected one of open_email, click_email, visit_landing_page, submit_form, register_event, attend_event, click_message',
      'window.caps.open_email: window.caps.open_email must be a whole number from 1 to 100 (got 0)',
      'machineFactor: machineFactor must be a number from 0 to 1 (got 2)',
      'hysteresis: hysteresis must be a number from 0 up to (not including) 1 (got 1)',
    ]);
  });

  it('refuses values that would overflow or underflow scores into Infinity, NaN or zero', () => {
    const model = withChange((m) => {
      m.weights.attend_event = 1e308;
      m.halfLifeDays = 1e-320;
      m.thresholds = { engaged: 5, highlyEngaged: 1e12 };
      m.window.hours = 1e-9;
    });
    expect(messages(model)).toEqual([
      'weights.attend_event: weights.attend_event must be at most 1000000 (got 1e+308)',
      'halfLifeDays: halfLifeDays must be from 0.0417 to 36500 days (got 1e-320)',
      'thresholds.highlyEngaged: thresholds.highlyEngaged must be from 0 to 1000000000 points (got 1000000000000)',
      'window.hours: window.hours must be from 0.0167 to 8760 hours (got 1e-9)',
    ]);
  });

  it('accepts the edges of every bound', () => {
    const model = withChange((m) => {
      m.weights.attend_event = 1_000_000;
      m.halfLifeDays = 1 / 24;
      m.thresholds = { engaged: 1e-6, highlyEngaged: 1e9 };
      m.window.hours = 8760;
    });
    expect(validateModel(model)).toEqual({ ok: true });
  });

  it('refuses what is not a model at all', () => {
    expect(messages(null)).toEqual([': model must be an object']);
    expect(messages({}).length).toBeGreaterThanOrEqual(6);
  });
});

describe('completeModel', () => {
  /** A custom model as saved before `click_message` existed: six types. */
  const sixTypes = () => {
    const model = withChange((m) => {
      m.weights.open_email = 2;
      m.window.caps.visit_landing_page = 9;
    }) as unknown as { weights: Record<string, number>; window: { caps: Record<string, number> } };
    delete model.weights.click_message;
    delete model.window.caps.click_message;
    return model;
  };

  it('refuses a model that leaves a type out, so completing is a deliberate step', () => {
    expect(messages(sixTypes())).toContain(
      'weights.click_message: weights.click_message must be a finite number',
    );
  });

  it("fills the types a saved model leaves out with the defaults, keeping the model's own values", () => {
    const completed = completeModel(sixTypes()) as ScoringModel;
    expect(validateModel(completed)).toEqual({ ok: true });
    expect(completed.weights.click_message).toBe(DEFAULT_MODEL.weights.click_message);
    expect(completed.window.caps.click_message).toBe(DEFAULT_MODEL.window.caps.click_message);
    expect(completed.weights.open_email).toBe(2);
    expect(completed.window.caps.visit_landing_page).toBe(9);
  });

  it('leaves what is not a model for validateModel to refuse, and does not invent unknown types away', () => {
    expect(completeModel(null)).toBeNull();
    expect(messages(completeModel({ ...DEFAULT_MODEL, weights: 'heavy' }))).toContain(
      'weights: weights must be an object with a number for each engagement type',
    );
    const unknown = completeModel({
      ...DEFAULT_MODEL,
      weights: { ...DEFAULT_MODEL.weights, tweet: 1 },
    });
    expect(messages(unknown)).toEqual([
      'weights.tweet: unknown engagement type "tweet"; expected one of open_email, click_email, visit_landing_page, submit_form, register_event, attend_event, click_message',
    ]);
  });
});
