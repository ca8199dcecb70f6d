// The example career sites paste the tracking code exactly as the console and the API give it for
// the demo site (pk_demo on the local worker, http://127.0.0.1:8787): the pasted-snippet site in
// consent mode none (the demo organisation's), the OneTrust site in the OneTrust variant. Runs in
// Node (the `node` project) to read the example pages from disk.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackingSnippet } from './tracking-code.js';

const EXAMPLES = new URL('../../../../../examples/', import.meta.url).pathname;
const DEMO = { origin: 'http://127.0.0.1:8787', siteKey: 'pk_demo', onetrustCategory: 'C0004' };

/** Every page of an example site, with the tracking code it pasted (the `cxm` script lines). */
async function pastedCodes(site: string): Promise<Map<string, string>> {
  const dir = join(EXAMPLES, site);
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.html'));
  const codes = new Map<string, string>();
  for (const file of files) {
    const lines = (await readFile(join(dir, file), 'utf8')).split('\n');
    const at = lines.findIndex((line) => line.includes('window.cxm=window.cxm'));
    codes.set(
      file,
      lines
        .slice(at, at + 2)
        .map((line) => line.trim())
        .join('\n'),
    );
  }
  return codes;
}

describe('the example sites', () => {
  it('paste the plain tracking code of the demo site, form visitor field included', async () => {
    const code = trackingSnippet({ ...DEMO, consent: 'none' });
    const pasted = await pastedCodes('pasted-snippet');
    expect(pasted.size).toBeGreaterThan(3);
    for (const [file, text] of pasted) expect(text, file).toBe(code);
  });

  it('paste the OneTrust variant on the OneTrust site', async () => {
    const code = trackingSnippet({ ...DEMO, consent: 'onetrust' });
    const pasted = await pastedCodes('onetrust');
    expect(pasted.size).toBeGreaterThan(3);
    for (const [file, text] of pasted) expect(text, file).toBe(code);
  });
});
