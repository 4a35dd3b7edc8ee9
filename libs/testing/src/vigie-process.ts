import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait-for';
import { buildService, ENTRY_POINTS, REPOSITORY_ROOT } from './processes';
import { testEnv, type TestApp } from './test-app';
import { readEnvironment } from '../../config/src/environment';

export type VigieProcessKind = 'api' | 'worker';

/** Builds dist/ unless it is up to date, and waits until no build is halfway through. */
export async function buildDist(): Promise<void> {
  buildService();
  // dist/.built is written last: its presence means no build is halfway through.
  await waitFor(() => existsSync(join(REPOSITORY_ROOT, 'dist/.built')), { timeoutMs: 30000, what: 'the build to complete' });
}

/** An exit the test did not ask for: a crash, or a start-up that failed. */
export interface UnexpectedExit {
  name: string;
  at: Date;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process wrote. */
  output: string;
}

export interface VigieProcessOptions {
  /** Shown in reports, e.g. `api-1`. */
  name?: string;
  /** Starts the process again 500 ms after an exit the test did not ask for, as a process manager would. */
  restartOnExit?: boolean;
  /** Called on every unexpected exit. */
  onUnexpectedExit?: (exit: UnexpectedExit) => void;
  /** Appends everything the process writes to this file, across restarts. */
  logFile?: string;
}

const KEPT_LINES = 60;

/**
 * One real API or worker process, started from dist/ directly with `node` (not through npm and
 * scripts/start.mjs, whose wrapper would absorb a SIGKILL meant for the service). Keeps the last
 * lines it wrote, for the report of a failing test.
 */
export class VigieProcess {
  readonly name: string;
  readonly unexpectedExits: UnexpectedExit[] = [];
  private child: ChildProcess | null = null;
  private lines: string[] = [];
  private disposed = false;

  constructor(
    readonly kind: VigieProcessKind,
    private readonly env: Record<string, string>,
    private readonly options: VigieProcessOptions = {},
  ) {
    this.name = options.name ?? kind;
  }

  /** `http://127.0.0.1:<PORT>` of an API process. */
  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines written on stdout and stderr. */
  get output(): string {
    return this.lines.join('\n');
  }

  start(): void {
    if (this.running || this.disposed) return;
    const child = spawn(process.execPath, ['--enable-source-maps', ENTRY_POINTS[this.kind]], {
      cwd: REPOSITORY_ROOT,
      env: { PATH: readEnvironment().PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      if (this.options.logFile) appendFileSync(this.options.logFile, chunk);
      this.lines.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => {
      if (this.child !== child || this.disposed) return;
      this.child = null;
      const exit = { name: this.name, at: new Date(), code, signal, output: this.output };
      this.unexpectedExits.push(exit);
      this.options.onUnexpectedExit?.(exit);
      if (this.options.restartOnExit) setTimeout(() => this.start(), 500).unref();
    });
  }

  /** Resolves when an API process answers /health/live. */
  async live(timeoutMs = 30000): Promise<void> {
    await waitFor(
      async () => {
        const res = await fetch(`${this.url}/health/live`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200;
      },
      { timeoutMs, intervalMs: 200, what: `${this.name} to answer /health/live` },
    );
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut where it stands. Resolves with the signal that ended it. */
  async kill(): Promise<NodeJS.Signals | null> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.signalCode ?? null;
    return new Promise((resolve) => {
      child.once('exit', (_code, signal) => resolve(signal));
      child.kill('SIGKILL');
    });
  }

  /** Kills the process for good: no restart after this. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.kill();
  }
}

/**
 * Starts a worker process from dist/ (run `buildDist()` first) on the database, queue prefix,
 * Redis and admin key of `app`, with `env` on top; an exit the test did not ask for is written to
 * stderr. Dispose of it when the test ends.
 */
export function startWorkerProcess(app: TestApp, env: Record<string, string> = {}): VigieProcess {
  const worker = new VigieProcess(
    'worker',
    testEnv(app.database, { VIGIE_BOOTSTRAP_ADMIN_KEY: app.adminKey, REDIS_URL: app.env.REDIS_URL, VIGIE_QUEUE_PREFIX: app.env.VIGIE_QUEUE_PREFIX, ...env }),
    // A worker that fails to start would otherwise only show as a timeout.
    { onUnexpectedExit: (exit) => process.stderr.write(`worker exited with ${exit.code ?? exit.signal}: ${exit.output}\n`) },
  );
  worker.start();
  return worker;
}
