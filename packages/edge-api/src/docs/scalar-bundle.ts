// Scalar's standalone API reference (`@scalar/api-reference`, its browser build), as text: a
// Text module by the `rules` in wrangler.jsonc, which the worker tests honour too. Imported
// lazily by the route, so only a request for the script loads its 4.9 MB.
// @ts-expect-error: a Text module has no declaration; its default export is the file's text.
import bundle from '../../node_modules/@scalar/api-reference/dist/browser/standalone.js';

export const SCALAR_JS: string = bundle;
