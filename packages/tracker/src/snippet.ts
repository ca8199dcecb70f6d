// The two-line snippet. The inline stub queues calls made before `t.js` arrives; its exact text is
// what the CSP hash in the README is computed from (a test keeps the two in step).

/** The inline queue stub, exactly as pasted (no whitespace around it inside the script tag). */
export const STUB = 'window.cxm=window.cxm||function(){(cxm.q=cxm.q||[]).push(arguments)}';

export function snippet(origin: string, site: string): string {
  return `<script>${STUB}</script>\n<script async src="${origin}/t.js" data-site="${site}"></script>`;
}
