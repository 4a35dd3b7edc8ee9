// Integration and e2e tests boot real processes and wait on real services.
jest.setTimeout(60_000);
