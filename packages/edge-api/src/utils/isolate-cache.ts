// A small per-isolate cache: what a Worker isolate looked up in D1 a moment ago, kept for a short
// time so the hot paths (every beacon, every tracker script) read D1 once per key and TTL rather
// than once per request. Another isolate keeps its own copy, so a change reaches every isolate
// within the TTL; the isolate that made the change forgets at once (`delete`, `deleteWhere`).
// Bounded: past `maxEntries` the oldest entry goes (a Map iterates in insertion order), so keys an
// attacker makes up cannot grow it.

export class IsolateCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Forgets every entry whose value matches (e.g. all of one organisation's). */
  deleteWhere(match: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (match(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
