import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fingerprint } from './fingerprint.js';

const load = vi.hoisted(() => vi.fn());
vi.mock('@fingerprintjs/fingerprintjs', () => ({ load }));

beforeEach(() => {
  load.mockReset().mockResolvedValue({
    get: async () => ({ visitorId: 'v'.repeat(32), version: '5.2.0', confidence: { score: 0.5 } }),
  });
});

describe('fingerprint chunk', () => {
  it('runs FingerprintJS without its vendor request and reports its id as fp, with version and confidence', async () => {
    expect(await fingerprint(() => true)).toEqual({
      fp: 'v'.repeat(32),
      version: '5.2.0',
      confidence: 0.5,
    });
    expect(load).toHaveBeenCalledWith({ monitoring: false });
  });

  it('does not start FingerprintJS once the result is no longer wanted', async () => {
    await expect(fingerprint(() => false)).rejects.toThrow();
    expect(load).not.toHaveBeenCalled();
  });
});
