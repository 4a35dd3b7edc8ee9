import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildService, createTestDatabase, freePort, killServices, REPOSITORY_ROOT, startService, TestDatabase, testEnv, waitFor } from '@vigie/testing';

/**
 * The README's walk-through, run as a person runs it: its shell blocks, in order, in one bash
 * session, against the built service started as `npm start` starts it (development, no SMTP_URL,
 * the README's admin key), from a folder whose `.vigie/outbox/` receives the e-mails. Only the
 * port differs (`localhost:3000` becomes the test's own). A step that fails must stop its block,
 * and the acknowledgement link the e-mail carries must acknowledge the alert.
 */

const README = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');

/** The ```sh blocks of the section `## Walk-through`, in order. */
function walkThroughBlocks(): string[] {
  const start = README.indexOf('\n## Walk-through\n');
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** The variables the walk-through sets, carried from one block to the next. */
function variablesOf(blocks: string[]): string[] {
  return [...new Set(blocks.flatMap((b) => [...b.matchAll(/^(?:export )?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1])))];
}

interface Step {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('the README walk-through', () => {
  let database: TestDatabase;
  let folder: string;
  let port: number;
  let state: string;
  let blocks: string[];
  let variables: string[];

  /** Runs one block in bash, in the state the earlier blocks left (their variables and functions). */
  function run(block: string): Step {
    const script = [
      `[ -f "${state}" ] && . "${state}"`,
      block.replaceAll('localhost:3000', `localhost:${port}`),
      `status=$?`,
      `{ declare -p ${variables.join(' ')} 2>/dev/null; declare -f; } > "${state}"`,
      `exit $status`,
    ].join('\n');
    const result = spawnSync('bash', ['-c', script], { cwd: folder, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: folder } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs a block again until `done` holds: the README says to, for the triage and the alert that run in the background. */
  async function runUntil(block: string, done: (step: Step) => boolean, what: string): Promise<Step> {
    return waitFor(
      () => {
        const step = run(block);
        return done(step) ? step : null;
      },
      { timeoutMs: 20_000, intervalMs: 500, what },
    );
  }

  beforeAll(async () => {
    buildService();
    blocks = walkThroughBlocks();
    variables = variablesOf(blocks);
    database = await createTestDatabase();
    folder = mkdtempSync(join(tmpdir(), 'vigie-walk-'));
    mkdirSync(join(folder, '.vigie'));
    state = join(folder, 'state.sh');
    port = await freePort();
    const adminKey = /export VIGIE_BOOTSTRAP_ADMIN_KEY=(\S+)/.exec(blocks[0])?.[1];
    if (!adminKey) throw new Error('The walk-through no longer exports VIGIE_BOOTSTRAP_ADMIN_KEY');
    startService(
      'standalone',
      testEnv(database, {
        NODE_ENV: 'development',
        PORT: String(port),
        VIGIE_PUBLIC_URL: `http://localhost:${port}`,
        VIGIE_BOOTSTRAP_ADMIN_KEY: adminKey,
        VIGIE_EMAIL_OUTBOX_DIR: join(folder, '.vigie', 'outbox'),
        LOG_LEVEL: 'warn',
      }),
    );
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.status === 200, {
      timeoutMs: 60_000,
      what: 'the service to be ready',
    });
  }, 180_000);

  afterAll(async () => {
    await killServices();
    await database?.drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('has the blocks this test walks: set-up, foyer, key, youth, list, declaration, triage, a mistake, policy, alert, acknowledgement', () => {
    expect(blocks).toHaveLength(11);
  });

  it('declares an episode and reads its triage, step by step', async () => {
    for (const [i, name] of [[0, 'set-up'], [1, 'FOYER_ID'], [2, 'FOYER_KEY'], [3, 'YOUTH_ID'], [4, 'the list'], [5, 'FUGUE_ID']] as const) {
      const step = run(blocks[i]);
      expect({ name, ...step }).toMatchObject({ name, status: 0, stderr: '' });
    }
    expect(run(blocks[4]).stdout).toContain('"lastName": "Testnom"');
    const triage = await runUntil(blocks[6], (s) => s.status === 0 && !s.stdout.startsWith('null'), 'the triage to print a classification');
    expect(triage.stdout).toMatch(/"level": "(routine|worrying)"/);
    expect(triage.stdout.trim().split('\n').pop()).toMatch(/^(routine|worrying)$/);
  }, 60_000);

  it('stops on an error answer, printing its status and error on stderr', () => {
    const step = run(blocks[7]);
    expect(step.status).not.toBe(0);
    expect(step.stdout).toBe('');
    expect(step.stderr).toMatch(/^HTTP 401: \{"statusCode":401,"code":"UNAUTHENTICATED"/);
  });

  it('stops when a field the block reads is not in a successful answer, leaving the variable empty', () => {
    expect(run(blocks[0]).status).toBe(0);
    const step = run(`ID=$(api $API/v1/foyers/$FOYER_ID -H "Authorization: Bearer $VIGIE_BOOTSTRAP_ADMIN_KEY" | json .noSuchField) && echo "got $ID"`);
    expect(step.status).not.toBe(0);
    expect(step.stdout).toBe('');
    expect(step.stderr).toContain('noSuchField');
  });

  it('opens an alert for the worrying episode, and acknowledges it from the link of its e-mail', async () => {
    expect(run(blocks[8])).toMatchObject({ status: 0, stderr: '' });
    // The alert opens in the background: the README says to run its last two lines again.
    const lines = blocks[9].trimEnd().split('\n');
    const declaring = lines.slice(0, -2).join('\n');
    const readingAlert = lines.slice(-2).join('\n');
    expect(run(declaring)).toMatchObject({ status: 0, stderr: '' });
    const alert = await runUntil(readingAlert, (s) => s.status === 0 && /"status": "sent"/.test(s.stdout), 'the alert and its notification to be sent');
    expect(alert.stdout).toMatch(/^[0-9a-f-]{36}\n/);

    const ack = run(blocks[10]);
    expect(ack).toMatchObject({ status: 0, stderr: '' });
    expect(ack.stdout).toMatch(/\.eml\n/);
    expect(ack.stdout).toMatch(new RegExp(`^http://localhost:${port}/a/[\\w.-]+$`, 'm'));
    expect(ack.stdout).toMatch(/^200$/m);
    expect(ack.stdout.trim().split('\n').pop()).toBe('acknowledged');
  }, 60_000);
});
