// `pnpm bench [name ...]`: runs the named benchmarks (default: all, in this order) one after
// another, so that none measures while another loads the machine, and prints each as markdown.
// Each also runs alone: `pnpm bench collector`. Figures land in `.bench-results/` as well.
import { type BenchResult, machine, publish } from './report.js';

type Bench = () => Promise<BenchResult>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  scoring: async () => (await import('./scoring.js')).run,
  writes: async () => (await import('./writes.js')).run,
  collector: async () => (await import('./collector.js')).run,
  reads: async () => (await import('./reads.js')).run,
  tracker: async () => (await import('./tracker.js')).run,
  texting: async () => (await import('./texting.js')).run,
  campaigns: async () => (await import('./campaigns.js')).run,
  shards: async () => (await import('./shards.js')).run,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = asked.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark: ${unknown.join(', ')} (choose from ${Object.keys(BENCHES).join(', ')})\n`,
    );
    process.exit(2);
  }
  const names = asked.length > 0 ? asked : Object.keys(BENCHES);
  process.stdout.write(`machine: ${machine()}\n`);
  for (const name of names) {
    const started = Date.now();
    process.stdout.write(`\n--- ${name} ---\n`);
    const bench = await (BENCHES[name] as () => Promise<Bench>)();
    publish(await bench());
    process.stdout.write(`(${name}: ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
