import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STUB, snippet } from './snippet.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('snippet', () => {
  it('is published in the README exactly as built, with the CSP hash of its stub', () => {
    expect(readme).toContain(`<script>${STUB}</script>`);
    const hash = `sha256-${createHash('sha256').update(STUB).digest('base64')}`;
    expect(readme).toContain(`'${hash}'`);
  });

  it('is two lines: the stub and an async script tag with the site key', () => {
    expect(snippet('https://edge.test', 'pk_demo').split('\n')).toEqual([
      `<script>${STUB}</script>`,
      '<script async src="https://edge.test/t.js" data-site="pk_demo"></script>',
    ]);
  });
});
