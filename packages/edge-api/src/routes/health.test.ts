import { describe, expect, it } from 'vitest';
import { request } from '../test/client.js';

describe('GET /healthz', () => {
  it('answers ok with the database reachable', async () => {
    const response = await request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, db: true });
  });
});
