// Long-running children in process groups of their own: stopping one stops what it started (wrangler's
// workerd), and only processes started here are ever signalled, by their id.
import { type ChildProcess, spawn } from 'node:child_process';

export interface Child {
  process: ChildProcess;
  /** The last 4,000 characters it printed, for error messages. */
  output: () => string;
}

export function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Child {
  let output = '';
  const child = spawn(command, args, {
    cwd,
    detached: true,
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (data) => (output += data));
  child.stderr?.on('data', (data) => (output += data));
  return { process: child, output: () => output.slice(-4000) };
}

function exited(child: Child): boolean {
  return child.process.exitCode !== null || child.process.signalCode !== null;
}

/** SIGTERM to the child's process group, then up to 5 s for it to exit. */
export async function stop(child: Child | undefined): Promise<void> {
  const pid = child?.process.pid;
  if (!pid || exited(child)) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {}
  const deadline = Date.now() + 5000;
  while (!exited(child) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL to the child's process group (no clean-up, as a crash), then waits for it to exit. */
export async function kill(child: Child | undefined): Promise<void> {
  const pid = child?.process.pid;
  if (!pid || exited(child)) return;
  const gone = new Promise((done) => child.process.once('exit', done));
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {}
  await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
}

/** Waits until `url` answers below 500, failing early if `child` exits, for at most `ms`. */
export async function waitFor(url: string, child: Child, name: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (exited(child)) {
      throw new Error(`${name} exited early (code ${child.process.exitCode}):\n${child.output()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not answer ${url} within ${ms / 1000} s:\n${child.output()}`);
}
