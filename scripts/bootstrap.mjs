#!/usr/bin/env node
// Sets up whatever this machine is missing, then runs a root task with it.
//
// `npm start` and `npm test` come here so that they work on a fresh machine with only a system
// Node (even Node 20) and npm: wrangler needs Node >= 22.12 and the workspace needs the pnpm
// pinned in package.json. Anything missing is provisioned inside the repo (`.tools/`), never
// globally, and a second run reuses it. Plain Node, no dependencies: it runs before any install.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const MIN_NODE = [22, 12, 0];
const NODE_PACKAGE = 'node@22';

/**
 * Tasks this script can run, each a pnpm command run by the provisioned toolchain. Arguments after
 * the task name are passed on (`bench collector`), except the ones a task reads itself.
 */
const TASKS = {
  dev: { pnpm: ['run', 'dev'] },
  check: { pnpm: ['run', 'check'], chromium: true },
  'example-backend': { pnpm: ['--filter', '@cxm/example-backend', 'start'] },
  bench: { pnpm: ['--filter', '@cxm/scripts', 'bench'], chromium: true },
  // The edge API to Cloudflare (scripts/deploy.mjs; README "Deploying"): `--gradual`, `--dry-run`,
  // `--secrets-file <file>` are passed on.
  deploy: { pnpm: ['exec', 'node', 'scripts/deploy.mjs'] },
  // The reliability suite alone, through the same runner as `npm test` (its `N passed` line);
  // `--full` runs it at the size BENCHMARKS.md publishes instead of the reduced size CI runs.
  reliability: {
    pnpm: ['run', 'check', 'reliability'],
    flags: { '--full': { CXM_RELIABILITY: 'full' } },
  },
};

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function fail(message) {
  log(`error: ${message}`);
  process.exit(1);
}

function versionAtLeast(version, minimum) {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== minimum[i]) return have > minimum[i];
  }
  return true;
}

function commandVersion(command, args = ['--version']) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return result.status === 0 ? result.stdout.trim() : null;
}

function pinnedPnpm() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)$/.exec(pkg.packageManager ?? '');
  if (!match) fail('package.json must pin "packageManager": "pnpm@X.Y.Z"');
  return match[1];
}

/** Node >= 22.12: the system one when new enough, else the one provisioned in .tools. */
function findNode() {
  if (versionAtLeast(process.versions.node, MIN_NODE)) return process.execPath;
  const local = join(toolsDir, 'node_modules', 'node', 'bin', 'node');
  if (existsSync(local) && versionAtLeast(commandVersion(local) ?? '0', MIN_NODE)) return local;
  return null;
}

/** pnpm at exactly the pinned version: provisioned in .tools, or on PATH. */
function findPnpm(version) {
  const local = join(toolsDir, 'node_modules', 'pnpm');
  const localPkg = join(local, 'package.json');
  if (existsSync(localPkg) && JSON.parse(readFileSync(localPkg, 'utf8')).version === version) {
    return { kind: 'script', path: join(local, 'bin', 'pnpm.cjs') };
  }
  if (commandVersion('pnpm') === version) return { kind: 'command', path: 'pnpm' };
  return null;
}

function provision(pnpmVersion, needNode) {
  // One npm call installs everything missing: a second `npm i --no-save` would prune the first.
  const wanted = [`pnpm@${pnpmVersion}`];
  if (needNode) wanted.push(NODE_PACKAGE);
  log(`installing ${wanted.join(' and ')} into .tools/ (once; later runs reuse it)`);
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(
    join(toolsDir, 'package.json'),
    `${JSON.stringify({ name: 'cxm-tools', private: true, description: 'Provisioned by scripts/bootstrap.mjs' }, null, 2)}\n`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(
    npm,
    [
      'install',
      '--prefix',
      toolsDir,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...wanted,
    ],
    { stdio: 'inherit', cwd: toolsDir },
  );
  if (result.status !== 0) fail(`npm could not install ${wanted.join(', ')}`);
}

/**
 * The browser tests drive Debian's Chromium (no browser downloads: they fail on closed networks).
 * Installed with apt-get when missing and we may; otherwise a warning, and CHROMIUM_PATH wins.
 */
function ensureChromium() {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) fail(`CHROMIUM_PATH=${configured} does not exist`);
    return;
  }
  if (existsSync('/usr/bin/chromium')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || commandVersion('apt-get', ['--version']) === null) {
    log(
      "warning: no Chromium found for the browser tests; install Debian's `chromium` or set CHROMIUM_PATH",
    );
    return;
  }
  log("installing Debian's chromium for the browser tests (once)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env,
    }).status === 0;
  if (!install || !existsSync('/usr/bin/chromium')) fail('apt-get could not install chromium');
}

/** Skips `pnpm install` when the lockfile and manifests are unchanged since the last install. */
function installStamp() {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'pnpm-lock.yaml')));
  hash.update(readFileSync(join(root, 'pnpm-workspace.yaml')));
  return hash.digest('hex');
}

function main() {
  const task = TASKS[process.argv[2] ?? ''];
  if (!task) fail(`usage: node scripts/bootstrap.mjs <${Object.keys(TASKS).join('|')}> [args]`);
  const passed = [];
  const taskEnv = {};
  for (const arg of process.argv.slice(3)) {
    if (arg === '--') continue;
    if (task.flags?.[arg]) Object.assign(taskEnv, task.flags[arg]);
    else if (task.flags)
      fail(`unknown option ${arg} (options: ${Object.keys(task.flags).join(', ')})`);
    else passed.push(arg);
  }
  const command = [...task.pnpm, ...passed];

  const pnpmVersion = pinnedPnpm();
  let node = findNode();
  let pnpm = findPnpm(pnpmVersion);
  if (!node || !pnpm) {
    const needNode = !node;
    provision(pnpmVersion, needNode || existsSync(join(toolsDir, 'node_modules', 'node')));
    node = findNode();
    pnpm = findPnpm(pnpmVersion);
    if (!node) fail(`no Node >= ${MIN_NODE.join('.')} after installing ${NODE_PACKAGE}`);
    if (!pnpm) fail(`no pnpm ${pnpmVersion} after installing it`);
  }

  const env = {
    ...process.env,
    // Children (wrangler, vitest, scripts) find the right node and pnpm first on PATH.
    PATH: [dirname(node), join(toolsDir, 'node_modules', '.bin'), process.env.PATH ?? ''].join(
      delimiter,
    ),
    WRANGLER_SEND_METRICS: 'false',
    // wrangler dev fetches the `Request.cf` object from Cloudflare; offline that only prints errors.
    CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
    NO_UPDATE_NOTIFIER: '1',
    npm_config_update_notifier: 'false',
    ...taskEnv,
  };
  const pnpmArgs = pnpm.kind === 'script' ? [node, [pnpm.path]] : [pnpm.path, []];
  const runPnpm = (args, options = {}) =>
    spawnSync(pnpmArgs[0], [...pnpmArgs[1], ...args], {
      stdio: 'inherit',
      cwd: root,
      env,
      ...options,
    });

  const stampFile = join(root, 'node_modules', '.cxm-install-stamp');
  const stamp = installStamp();
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log('pnpm install --frozen-lockfile');
    const installed = runPnpm(['install', '--frozen-lockfile']);
    if (installed.status !== 0) fail('pnpm install failed');
    writeFileSync(stampFile, stamp);
  }

  if (task.chromium) ensureChromium();

  log(`node ${commandVersion(node)}, pnpm ${pnpmVersion}: running \`pnpm ${command.join(' ')}\``);
  const child = spawn(pnpmArgs[0], [...pnpmArgs[1], ...command], {
    stdio: 'inherit',
    cwd: root,
    env,
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
