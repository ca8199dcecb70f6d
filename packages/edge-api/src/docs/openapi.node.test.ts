// Runs in Node (the `node` project): the validator compiles JSON Schema to code at run time,
// which workerd does not allow. The document is the one `/v1/openapi.json` serves.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

describe('the OpenAPI document', () => {
  it('validates against the official OpenAPI 3.1 schema', async () => {
    // Bindings of local development: without them the app refuses every request
    // (middleware/configuration.ts); the document needs no others.
    const local = { ENVIRONMENT: 'development', TOKEN_SECRET: 'test', SECRETS_KEY: 'test' };
    const response = await createApp().request('/v1/openapi.json', {}, local);
    const doc = await response.json();
    const validator = new Validator();
    const result = await validator.validate(doc as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
});
