import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

interface Lane {
  name: string;
  projects: string[];
}

/** The lanes `npm test` runs (scripts/test.mjs), as it prints them. */
function lanes(): { lanes: Lane[]; last: Lane } {
  return JSON.parse(execFileSync(process.execPath, [join(ROOT, 'scripts', 'test.mjs'), '--list-lanes'], { cwd: ROOT, encoding: 'utf8' }));
}

describe('npm test lanes', () => {
  it('run every jest project of jest.config.js exactly once, and the fault suite last and alone', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(join(ROOT, 'jest.config.js')) as { projects: { displayName: string }[] };
    const projects = config.projects.map((project) => project.displayName);
    expect(projects.length).toBeGreaterThan(0);
    const { lanes: sideBySide, last } = lanes();
    expect(sideBySide).toHaveLength(2);
    const scheduled = [...sideBySide, last].flatMap((lane) => lane.projects);
    expect([...scheduled].sort()).toEqual([...projects].sort());
    expect(last.projects).toEqual(['faults']);
  });
});
