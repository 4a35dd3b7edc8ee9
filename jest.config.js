/** Every test runs against real PostgreSQL and Redis; see libs/testing. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = {
  '^@vigie/domain/(.*)$': '<rootDir>/libs/domain/src/$1',
  '^@vigie/(config|domain|persistence|queue|notifications|testing)$': '<rootDir>/libs/$1/src',
};
const common = { rootDir: __dirname, transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };

module.exports = {
  // One test file at a time in each jest process (`npm test` runs two side by side, see
  // scripts/test.mjs): one handle left open by a test would keep the run from ever ending. Exit
  // once every test has finished; jest still names the leak.
  forceExit: true,
  // ...in one worker process, replaced by a fresh one after a file that leaves it above this heap.
  // Each file that boots the service keeps some 30 MB reachable after it ends; in jest's own
  // process (run in band) that adds up over the hundred-odd files towards V8's heap limit, and
  // garbage collection slows every later file (docs/performance.md § The test suite's time).
  workerIdleMemoryLimit: '512MB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-setup.ts'],
    },
    {
      // The e2e suite again with the clock of the tests and of the service at 23:30 in Paris.
      ...common,
      displayName: 'e2e-night',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-setup.ts', '<rootDir>/test/night-clock.setup.ts'],
    },
    {
      // The whole path under kills, outages and a stall (test/faults/README in the decisions).
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-setup.ts'],
    },
    {
      // A real Chromium (CHROMIUM_PATH, Debian's package) on pages the service serves; see libs/testing/src/browser.ts.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-setup.ts'],
    },
  ],
};
