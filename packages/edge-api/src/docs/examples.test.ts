// Every operation of the OpenAPI document that takes a JSON body shows an example of it (whole, or
// field by field): the reference (/docs) renders these, so a reader has a request to copy.
// Responses without examples are shown by Scalar from their schemas.
import { describe, expect, it } from 'vitest';
import { request } from '../test/client.js';

type Obj = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, Obj>>;
  components: { schemas: Record<string, Obj> };
}

/** Whether a schema, followed through `$ref`s and its properties, carries an example. */
function hasExample(schema: Obj | undefined, doc: Doc, seen = new Set<string>()): boolean {
  if (!schema) return false;
  if ('example' in schema || 'examples' in schema) return true;
  const ref = schema.$ref as string | undefined;
  if (ref) {
    const name = ref.split('/').pop()!;
    if (seen.has(name)) return false;
    seen.add(name);
    return hasExample(doc.components.schemas[name], doc, seen);
  }
  const props = Object.values((schema.properties as Record<string, Obj> | undefined) ?? {});
  const parts = [...((schema.allOf ?? schema.oneOf ?? schema.anyOf ?? []) as Obj[])];
  if (schema.items) parts.push(schema.items as Obj);
  return [...props, ...parts].some((part) => hasExample(part, doc, seen));
}

function mediaHasExample(media: Obj, doc: Doc): boolean {
  return 'example' in media || 'examples' in media || hasExample(media.schema as Obj, doc);
}

describe('the OpenAPI document', () => {
  it('has an example for every JSON request body', async () => {
    const doc = (await (await request('/v1/openapi.json')).json()) as Doc;
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        const body = (op.requestBody as Obj | undefined)?.content as Record<string, Obj>;
        const json = body?.['application/json'];
        if (json && !mediaHasExample(json, doc)) missing.push(`${name} request`);
      }
    }
    expect(missing).toEqual([]);
  });
});
