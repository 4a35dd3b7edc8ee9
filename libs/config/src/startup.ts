import { resolveDataKey } from './data-key-file';
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

/** Within Docker's default stop grace period (10 s), after which the process is killed anyway. */
const SHUTDOWN_TIMEOUT_MS = 8000;

/**
 * Graceful shutdown: on SIGTERM or SIGINT the application closes (the API stops accepting, the
 * worker finishes or releases its active jobs, connections close) and the process exits 0.
 * Nest's own shutdown hooks re-raise the signal after closing, which makes the exit status 143
 * and a container supervisor report a crash; this handler exits with the real outcome instead.
 * A close that cannot finish (Redis unreachable: BullMQ waits for it forever) exits 1 after
 * SHUTDOWN_TIMEOUT_MS; jobs left active are re-run by another worker once their lock expires.
 * A second signal while closing is ignored (Ctrl-C reaches both `npm start` and its child).
 */
export function closeOnSignals(app: { close(): Promise<void> }): void {
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    setTimeout(() => {
      process.stderr.write(`Vigie did not stop within ${SHUTDOWN_TIMEOUT_MS} ms after ${signal} (is a dependency down?); exiting\n`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`Vigie did not stop cleanly after ${signal}: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}
