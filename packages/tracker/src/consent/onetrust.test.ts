import { afterEach, describe, expect, it, vi } from 'vitest';
import { categoryActive, watchOneTrust } from './onetrust.js';

type W = Window & { OnetrustActiveGroups?: string; OptanonWrapper?: unknown; OneTrust?: unknown };
const w = window as W;

afterEach(() => {
  delete w.OnetrustActiveGroups;
  delete w.OptanonWrapper;
  delete w.OneTrust;
});

/** What OneTrust does on load and on every change: set the groups, call the wrapper, fire the event. */
function oneTrustDecides(groups: string) {
  w.OnetrustActiveGroups = groups;
  (w.OptanonWrapper as (() => void) | undefined)?.();
  dispatchEvent(
    new CustomEvent('OneTrustGroupsUpdated', { detail: groups.split(',').filter(Boolean) }),
  );
}

describe('OneTrust adapter', () => {
  it('parses OnetrustActiveGroups and never treats the always-active C0001 as consent', () => {
    expect(categoryActive(',C0001,C0004,', 'C0004')).toBe(true);
    expect(categoryActive(',C0001,', 'C0004')).toBe(false);
    expect(categoryActive(',C0001,C00041,', 'C0004')).toBe(false);
  });

  it('defines no OptanonWrapper of its own when the site has none', () => {
    watchOneTrust('C0004', () => {});
    expect('OptanonWrapper' in w).toBe(false);
  });

  it('reports nothing while OneTrust is absent or half-initialised', () => {
    w.OneTrust = { geolocationResponse: {} };
    const report = vi.fn();
    watchOneTrust('C0004', report);
    expect(report).not.toHaveBeenCalled();
  });

  it('reads a decision OneTrust made before the tracker loaded', () => {
    w.OnetrustActiveGroups = ',C0001,C0004,';
    const report = vi.fn();
    watchOneTrust('C0004', report);
    expect(report).toHaveBeenLastCalledWith(true);
  });

  it('follows a OneTrust that loads late, and every later change', () => {
    const report = vi.fn();
    watchOneTrust('C0004', report);
    oneTrustDecides(',C0001,');
    expect(report).toHaveBeenLastCalledWith(false);
    oneTrustDecides(',C0001,C0004,');
    expect(report).toHaveBeenLastCalledWith(true);
    oneTrustDecides(',C0001,C0002,');
    expect(report).toHaveBeenLastCalledWith(false);
  });

  it("chains onto the site's own OptanonWrapper, keeping its this, arguments and result", () => {
    const site = vi.fn(function (this: unknown, ...args: unknown[]) {
      return { self: this, args };
    });
    w.OptanonWrapper = site;
    const report = vi.fn();
    watchOneTrust('C0004', report);
    w.OnetrustActiveGroups = ',C0001,C0004,';
    const result = (w.OptanonWrapper as (...a: unknown[]) => unknown).call(w, 1, 2);
    expect(site).toHaveBeenCalledTimes(1);
    expect(result).toEqual({ self: w, args: [1, 2] });
    expect(report).toHaveBeenLastCalledWith(true);
  });

  it('still hears changes when the site replaces the wrapper after the tracker loaded', () => {
    const report = vi.fn();
    watchOneTrust('C0004', report);
    w.OptanonWrapper = () => {};
    oneTrustDecides(',C0001,C0004,');
    expect(report).toHaveBeenLastCalledWith(true);
  });

  it('uses the configured category', () => {
    const report = vi.fn();
    watchOneTrust('C0002', report);
    oneTrustDecides(',C0001,C0002,');
    expect(report).toHaveBeenLastCalledWith(true);
  });
});
