import { resolveDataKey } from './data-key-file';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { Readiness } from './readiness';
import { ConfigError, loadConfig, VigieConfig } from './vigie-config';
import { readEnvironment } from './environment';

/**
 * Validates the environment before anything starts. On a bad configuration, prints every bad
 * variable and exits non-zero.
 */
export function loadConfigOrExit(): VigieConfig {
  try {
    return resolveDataKey(loadConfig(readEnvironment()));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Time allowed to close once the grace period is over, after which the process exits 1. */
const SHUTDOWN_TIMEOUT_MS = 8000;

/**
 * Graceful shutdown: on SIGTERM or SIGINT, readiness fails at once (`Readiness.drain()`) while the
 * process keeps serving for `graceMs` (VIGIE_SHUTDOWN_GRACE_MS for an API, 0 for a worker), so that
 * a load balancer stops routing to it; then the application closes (the API stops accepting, the
 * worker finishes or releases its active jobs, connections close) and the process exits 0.
 * Nest's own shutdown hooks re-raise the signal after closing, which makes the exit status 143
 * and a container supervisor report a crash; this handler exits with the real outcome instead.
 * A close that cannot finish (Redis unreachable: BullMQ waits for it forever) exits 1 after
 * SHUTDOWN_TIMEOUT_MS; jobs left active are re-run by another worker once their lock expires.
 * A second signal while closing is ignored (Ctrl-C reaches both `npm start` and its child).
 * The container's stop grace period must exceed `graceMs` + SHUTDOWN_TIMEOUT_MS (see
 * docker-compose.yml).
 */
export function closeOnSignals(app: INestApplicationContext, { graceMs = 0 }: { graceMs?: number } = {}): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.get(Readiness, { strict: false }).drain();
    if (graceMs > 0) logger.log(`${signal} received: readiness now fails; stopping in ${graceMs} ms`);
    setTimeout(() => {
      process.stderr.write(`Vigie did not stop within ${graceMs + SHUTDOWN_TIMEOUT_MS} ms after ${signal} (is a dependency down?); exiting\n`);
      process.exit(1);
    }, graceMs + SHUTDOWN_TIMEOUT_MS).unref();
    setTimeout(() => {
      app.close().then(
        () => process.exit(0),
        (error: Error) => {
          process.stderr.write(`Vigie did not stop cleanly after ${signal}: ${error.message}\n`);
          process.exit(1);
        },
      );
    }, graceMs);
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}

/** `http://localhost:<port>` of a listening server, as a person would open it. */
export function listeningAddress(server: { address(): unknown }): string {
  const address = server.address();
  return `http://localhost:${typeof address === 'object' && address ? (address as { port: number }).port : address}`;
}
