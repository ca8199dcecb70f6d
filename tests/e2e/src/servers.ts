// Ports, child processes and the optional edge proxy of the end-to-end run.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createNetServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function portBusy(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

export interface Child {
  process: ChildProcess;
  output: () => string;
}

/** Starts a long-running child in its own process group (so stopping it stops its children). */
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

export async function stop(child: Child | undefined): Promise<void> {
  const pid = child?.process.pid;
  if (!pid || child.process.exitCode !== null) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {}
  const deadline = Date.now() + 5000;
  while (child.process.exitCode === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitFor(url: string, child: Child, name: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
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

/**
 * The "edge" the example pages load `t.js` from and post beacons to: the worker itself when it
 * can, else this proxy in front of it. It is needed when the worker does not serve the built
 * tracker (it then serves packages/tracker/dist), or when the example pages still name the fixed
 * demo origin (it then listens there).
 */
export function edgeProxy(dist: string, worker: string, serveTracker: boolean): Server {
  const target = new URL(worker);
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(dist, path);
    if (
      serveTracker &&
      req.method === 'GET' &&
      /^\/t(\.js|\/[\w.-]+\.js)$/.test(path) &&
      existsSync(file)
    ) {
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      });
      return res.end(readFileSync(file));
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}

export function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
}
