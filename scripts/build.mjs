// Compiles apps, libs and migrations to dist/ and rewrites the @vigie/* aliases to relative paths.
// The build happens in a folder of its own and replaces dist/ at the end, so a process started
// from dist/ meanwhile never sees a half-written build.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const staging = `dist.building-${process.pid}`;
const retired = `dist.old-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
try {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', staging], { stdio: 'inherit' });
  execFileSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json', '--outDir', staging], { stdio: 'inherit' });
  writeFileSync(`${staging}/.built`, new Date().toISOString());
  if (existsSync('dist')) renameSync('dist', retired);
  renameSync(staging, 'dist');
} finally {
  rmSync(staging, { recursive: true, force: true });
  rmSync(retired, { recursive: true, force: true });
}
