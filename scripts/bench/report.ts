// What every benchmark reports, in one shape: tables of measurements, each beside the baseline it
// was measured against in the same run, as a ratio. Absolute times on a shared machine drift;
// ratios to a baseline taken minutes apart on the same machine drift much less.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '@cxm/test-support/paths';

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface BenchResult {
  name: string;
  /** The command that reruns this benchmark alone. */
  command: string;
  tables: Table[];
  /** What the figures mean and what they leave out. */
  notes: string[];
}

/** The value at quantile `q` (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** `value / baseline` as `2.31x`. */
export function ratio(value: number, baseline: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return 'n/a';
  const r = value / baseline;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}x`;
}

/** A number with thousands separators and at most `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-GB', { maximumFractionDigits: digits });
}

/** Milliseconds, to a precision that suits their size. */
export function ms(value: number): string {
  return value >= 100 ? fmt(value) : value >= 10 ? fmt(value, 1) : fmt(value, 2);
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()}, Node ${process.versions.node}`;
}

export function markdown(result: BenchResult): string {
  const lines = [`### ${result.name}`, '', `\`${result.command}\``, ''];
  for (const table of result.tables) {
    lines.push(`**${table.title}**`, '');
    lines.push(`| ${table.columns.join(' | ')} |`);
    lines.push(`|${table.columns.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
    lines.push('');
  }
  for (const note of result.notes) lines.push(`- ${note}`);
  return `${lines.join('\n')}\n`;
}

/** Prints the result and keeps it in `.bench-results/<name>.md` (gitignored). */
export function publish(result: BenchResult): void {
  const text = markdown(result);
  process.stdout.write(`\n${text}`);
  const dir = join(ROOT, '.bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = `<!-- ${new Date().toISOString()} on ${machine()} -->\n`;
  writeFileSync(join(dir, `${result.name}.md`), stamp + text);
}
