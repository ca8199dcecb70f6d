// Where the suites find the repository's parts, wherever they run from.
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const EDGE_API = join(ROOT, 'packages', 'edge-api');
export const TRACKER = join(ROOT, 'packages', 'tracker');
export const WRANGLER = join(EDGE_API, 'node_modules', '.bin', 'wrangler');
