import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Integration and e2e tests boot real processes and wait on real services.
jest.setTimeout(60_000);

// A configuration built from this process's environment without a data key would generate one
// into the repository's .vigie/; tests give their own key, and this keeps any that forgets out of it.
process.env.VIGIE_DATA_KEY_FILE ??= join(tmpdir(), `vigie-test-${process.pid}`, 'data.key');
