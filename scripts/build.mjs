// Compiles apps, libs and migrations to dist/ and rewrites the @vigie/* aliases to relative paths.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
execFileSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
writeFileSync('dist/.built', new Date().toISOString());
