#!/usr/bin/env node
// Every check `npm test` promises, in order: builds, typecheck, lint, then each test suite.
// `pnpm check <suite> ...` runs the builds and only the named suites.
//
// Each vitest suite writes a JSON report; the closing line `N passed, N failed` is totalled from
// those reports (CI reads that line, not vitest's own summary). A step that fails without a report
// (typecheck, lint, a crashed runner) counts as one failure, so the line can never read green while
// the exit code says otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builds, suites } from './suites.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reportDir = join(root, '.test-results', 'reports');

function run(command, args, cwd, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd, env });
  return result.status === 0;
}

function heading(text) {
  process.stdout.write(`\n=== ${text} ===\n`);
}

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const failures = [];
/** Each failed test as `suite: file > name`, printed again at the end where CI's tail shows it. */
const failedTests = [];

heading('build');
for (const args of builds) {
  if (!run('pnpm', args, root)) {
    failed += 1;
    failures.push(`build (pnpm ${args.join(' ')})`);
  }
}

if (only.length === 0) {
  heading('typecheck');
  if (!run('pnpm', ['-r', '--no-bail', 'typecheck'], root)) {
    failed += 1;
    failures.push('typecheck');
  }
  heading('lint and format (biome)');
  if (!run('pnpm', ['exec', 'biome', 'ci', '.'], root)) {
    failed += 1;
    failures.push('lint');
  }
}

rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

for (const suite of suites) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  heading(`tests: ${suite.name}`);
  if (suite.prepare) {
    const ok = suite.prepare({ root, run });
    if (!ok) {
      failed += 1;
      failures.push(`${suite.name} (setup)`);
      continue;
    }
  }
  const report = join(reportDir, `${suite.name}.json`);
  const cwd = join(root, suite.dir);
  const ok = run(
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      '--config',
      suite.config,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...(suite.files ?? []),
    ],
    cwd,
    { ...process.env, ...(suite.env ?? {}) },
  );
  let suitePassed = 0;
  let suiteFailed = 0;
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    suitePassed = json.numPassedTests ?? 0;
    suiteFailed = json.numFailedTests ?? 0;
    // A file that fails to load holds no tests but is still a failure.
    const brokenFiles = (json.testResults ?? []).filter(
      (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
    ).length;
    suiteFailed += brokenFiles;
    for (const file of json.testResults ?? []) {
      const name = relative(cwd, file.name ?? '');
      const failedHere = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
      if (failedHere.length === 0 && file.status === 'failed')
        failedTests.push(
          `${suite.name}: ${name} (failed outside its tests: loading, or a before/after hook)`,
        );
      for (const test of failedHere) {
        // The first line of the first failure: enough to tell a timeout from a wrong value.
        const why = String(test.failureMessages?.[0] ?? '')
          .split('\n')[0]
          .slice(0, 300);
        failedTests.push(`${suite.name}: ${name} > ${test.fullName}\n      ${why}`);
      }
    }
  }
  if (!ok && suiteFailed === 0) suiteFailed = 1;
  if (suiteFailed > 0) failures.push(suite.name);
  passed += suitePassed;
  failed += suiteFailed;
}

heading('summary');
if (failures.length > 0) process.stdout.write(`failing: ${failures.join(', ')}\n`);
for (const test of failedTests) process.stdout.write(`  failed: ${test}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
