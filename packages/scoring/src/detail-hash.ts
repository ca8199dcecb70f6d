// Groups repeats of one detail (the same subject, URL, form or event) without keeping the text:
// a 32-bit FNV-1a hash of the trimmed, lower-cased detail keeps the incremental state small.

export function detailHash(detail: string | undefined): number {
  if (detail === undefined) return 0;
  const text = detail.trim().toLowerCase();
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
