import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { readEnvironment } from '../../config/src/environment';

/** The repository's root, where `npm start` runs. */
export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

/** The built entry points, as `npm start`, `npm run start:api` and `npm run start:worker` run them. */
export const ENTRY_POINTS = {
  standalone: 'dist/apps/standalone/src/main.js',
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
} as const;

/** One JSON log line as the service writes it. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface ServiceProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Every stdout line parsed as JSON; a line that is not JSON fails the test. */
  logs(): LogLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Builds dist/ when the sources changed (what `npm start` does first). */
export function buildService(): void {
  execFileSync(process.execPath, ['scripts/start.mjs', 'build-only'], { cwd: REPOSITORY_ROOT, stdio: 'pipe' });
}

const started: ServiceProcess[] = [];

/** Starts a built entry point with exactly these variables (and PATH): nothing leaks in from the test process. */
export function startService(entry: keyof typeof ENTRY_POINTS, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [ENTRY_POINTS[entry]], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: readEnvironment().PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stdout = () => Buffer.concat(out).toString();
  const service: ServiceProcess = {
    child,
    stdout,
    stderr: () => Buffer.concat(err).toString(),
    logs: () =>
      stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          try {
            return JSON.parse(line) as LogLine;
          } catch {
            throw new Error(`Not a JSON log line: ${line}`);
          }
        }),
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
  started.push(service);
  return service;
}

/** Kills whatever a test left running (call it in afterEach or afterAll). */
export async function killServices(): Promise<void> {
  for (const service of started.splice(0)) {
    if (service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }
}
