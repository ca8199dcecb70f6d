// The scoring package's own benchmark (10 M engagements over 1 M candidates against a
// `Float64Array` decay loop in the same process), run as the package runs it and tabulated here.
import { spawnSync } from 'node:child_process';
import { ROOT } from '@cxm/test-support/paths';
import { type BenchResult, fmt, ratio } from './report.js';

function figure(output: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(output);
  if (!match?.[1]) throw new Error(`the scoring bench printed no ${what}:\n${output}`);
  return Number(match[1]);
}

export async function run(): Promise<BenchResult> {
  const result = spawnSync('pnpm', ['--filter', '@cxm/scoring', 'bench'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
  });
  if (result.status !== 0) throw new Error(`the scoring bench failed:\n${result.stdout}`);
  const output = result.stdout;
  const baseline = figure(output, /^baseline[^:]*: (\d+) ms/m, 'baseline');
  const scoring = figure(output, /^scoring \(@cxm[^:]*: (\d+) ms/m, 'scoring time');
  const engagements = 10_000_000;
  const perSecond = (ms: number) => `${fmt(engagements / ms / 1000, 1)} M/s`;
  return {
    name: 'scoring',
    command: 'pnpm bench scoring (or pnpm bench:scoring)',
    tables: [
      {
        title: '10,000,000 engagements over 1,000,000 candidates, best of 5 interleaved rounds',
        columns: ['run', 'time', 'engagements/s', 'vs baseline'],
        rows: [
          [
            'baseline: Float64Array decay loop',
            `${fmt(baseline)} ms`,
            perSecond(baseline),
            '1.00x',
          ],
          [
            '@cxm/scoring Accumulator (window guards)',
            `${fmt(scoring)} ms`,
            perSecond(scoring),
            ratio(scoring, baseline),
          ],
        ],
      },
    ],
    notes: [
      'Target: at most 3x the baseline. The baseline does the same decay arithmetic (one power per engagement) without the window guards.',
    ],
  };
}
