import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { SmtpCatcher } from './test-servers';
import { TEST_SETTINGS } from './test-settings';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..', '..');

// playwright-core and axe are loaded by the browser tests only: every other test file imports
// this library too, and loading them takes a third of a second.

/** Where a failing browser test leaves its screenshot (ignored by git). */
export const BROWSER_RESULTS_DIR = join(ROOT, 'test-results', 'browser');

/**
 * Chromium's switches for a test run: no sandbox (tests run as root in CI, where Chromium refuses
 * its sandbox), no GPU, and no traffic of its own (component updates, safe browsing lists…).
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** How long one action, wait or navigation of a page may take before it fails. */
export const STEP_TIMEOUT_MS = 15_000;

/** A page's defaults: a laptop's window, French, Paris time (a test passes `viewport` for a phone). */
const CONTEXT_DEFAULTS: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' };

/**
 * Launches the machine's headless Chromium (`CHROMIUM_PATH`, default `/usr/bin/chromium`: Debian's
 * `chromium` package; no browser is ever downloaded). One per test file; close it in `afterAll`.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = TEST_SETTINGS.chromiumPath;
  if (!existsSync(executablePath)) {
    throw new Error(`Browser tests need Chromium at ${executablePath}: install it with \`apt-get install chromium\`, or set CHROMIUM_PATH`);
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}

/** A page in a fresh context (its own cookies and storage) whose relative URLs go to `baseURL`. */
export async function openPage(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ ...CONTEXT_DEFAULTS, ...options, baseURL });
  // Well under jest's 60 s: a step that hangs fails in Playwright, with its own message, in time
  // for the screenshot of the failure to be taken.
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  return context.newPage();
}

/** A file name made of the test's name: letters, digits and dashes. */
function fileNameOf(testName: string): string {
  const slug = testName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 150);
  return `${slug || 'browser-test'}.png`;
}

/**
 * Runs `fn` with a page in a fresh context, closes the context after it, and when `fn` fails
 * saves a full-page screenshot as `test-results/browser/<test name>.png` before rethrowing the
 * failure unchanged. `name` is the file's name (the test's full name in `browserTest`).
 */
export async function withPage(
  browser: Browser,
  baseURL: string,
  name: string,
  fn: (page: Page, context: BrowserContext) => Promise<void>,
  options: BrowserContextOptions = {},
): Promise<void> {
  const page = await openPage(browser, baseURL, options);
  try {
    await fn(page, page.context());
  } catch (error) {
    const path = join(BROWSER_RESULTS_DIR, fileNameOf(name));
    try {
      mkdirSync(BROWSER_RESULTS_DIR, { recursive: true });
      await page.screenshot({ path, fullPage: true, timeout: 10_000 });
      console.warn(`Screenshot of the failing page (${page.url()}): ${path}`);
    } catch (screenshotError) {
      console.warn(`No screenshot of the failing page: ${(screenshotError as Error).message}`);
    }
    throw error;
  } finally {
    await page.context().close();
  }
}

/** What a test file's browser gives its tests (see `useBrowser`). */
export interface BrowserFixture {
  /** The file's browser, once `beforeAll` has launched it. */
  readonly browser: Browser;
  /**
   * `it(name, …)` with a page in a fresh context on the app's URL; on failure, a screenshot in
   * test-results/browser/ named after the test's full name (describe blocks included).
   */
  test(name: string, fn: (page: Page, context: BrowserContext) => Promise<void>, timeoutMs?: number): void;
}

/**
 * Launches one Chromium for the test file (`beforeAll`) and closes it (`afterAll`). `baseURL` is
 * asked when each test starts, so the app may be started by a `beforeAll` declared after this.
 */
export function useBrowser(baseURL: () => string, options: BrowserContextOptions = {}): BrowserFixture {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const fixture: BrowserFixture = {
    get browser(): Browser {
      if (!browser) throw new Error('The browser is launched in beforeAll; use it inside a test or a hook');
      return browser;
    },
    test(name, fn, timeoutMs) {
      it(
        name,
        async () => {
          // jest-circus's own full name of the running test ("describe … test").
          const fullName = expect.getState().currentTestName ?? name;
          await withPage(fixture.browser, baseURL(), fullName, fn, options);
        },
        timeoutMs,
      );
    },
  };
  return fixture;
}

/** Impacts that fail `expectNoSeriousA11yViolations`. */
const SERIOUS_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is now and fails, listing each rule's id, impact, help and the
 * targets of its nodes, when any violation has the impact `serious` or `critical`. The page must
 * come from `browser.newContext()` (as `openPage` and `browserTest` give it).
 *
 * Every rule runs, and every violation is reported with all its nodes. Two settings make it about
 * four times faster (docs/performance.md § The test suite's time): a page without frames is
 * analysed with `axe.run()` in the page itself (`setLegacyMode`), instead of the frame-by-frame
 * run whose results are put together in a blank page opened for each analysis; and passing rules
 * are not listed node by node (`resultTypes`), since only violations are read. A page with frames
 * (the console has none) gets the frame-by-frame run, which also reaches cross-origin frames.
 */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const results = await new AxeBuilder({ page })
    .options({ resultTypes: ['violations'] })
    .setLegacyMode(page.frames().length === 1)
    .analyze();
  const serious = results.violations.filter((v) => v.impact && SERIOUS_IMPACTS.has(v.impact));
  if (serious.length === 0) return;
  const lines = serious.map((v) => `- ${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => JSON.stringify(n.target)).join('\n  ')}`);
  throw new Error(`${serious.length} serious or critical accessibility violation(s) on ${page.url()}:\n${lines.join('\n')}`);
}

/**
 * Asks for a sign-in link for `email` through the API (`POST /auth/email-link`, from the page's
 * context: same origin, same cookies) and returns the link of the e-mail that `smtp` catches. The
 * app must send its mail to `smtp` and have its own URL as VIGIE_PUBLIC_URL (`startTestApp({
 * ownPublicUrl: true })`), so the link leads back to it.
 */
export async function requestSignInLink(page: Page, smtp: SmtpCatcher, email: string, next?: string): Promise<string> {
  const to = email.trim().toLowerCase();
  const sentTo = () => smtp.messages.filter((m) => m.envelopeTo.some((address) => address.toLowerCase() === to));
  const before = sentTo().length;
  const res = await page.request.post('/auth/email-link', { data: next === undefined ? { email } : { email, next } });
  if (res.status() !== 202) throw new Error(`POST /auth/email-link answered ${res.status()}: ${await res.text()}`);
  await waitFor(() => sentTo().length > before, { what: `the sign-in e-mail to ${to}` });
  const mail = await smtp.parse(sentTo()[sentTo().length - 1]);
  const link = /https?:\/\/\S+\/auth\/email-link\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
  if (!link) throw new Error(`The sign-in e-mail to ${to} has no sign-in link`);
  return link;
}

/**
 * Signs `email` in as a person would: asks for the link, opens the e-mailed link in the page,
 * presses « Me connecter » and waits until the browser lands on `next` (or `/`). Returns the link
 * (used: opening it again shows the error page).
 */
export async function signInByEmail(page: Page, smtp: SmtpCatcher, email: string, next?: string): Promise<string> {
  const link = await requestSignInLink(page, smtp, email, next);
  const opened = await page.goto(link);
  if (opened?.status() !== 200) throw new Error(`The sign-in link answered ${opened?.status()}`);
  const landing = new URL(next ?? '/', link);
  await Promise.all([
    page.waitForURL((url) => url.pathname === landing.pathname && url.search === landing.search, { waitUntil: 'domcontentloaded' }),
    page.getByRole('button', { name: 'Me connecter' }).click(),
  ]);
  return link;
}

/**
 * The messages of the scripts, styles or requests the console's CSP refused on `page`, as the
 * browser reports them: a test expects none once its walk is over.
 */
export function cspRefusals(page: Page): string[] {
  const refused: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  return refused;
}

/**
 * The console as it is now, built with its committed API types into a new temporary directory:
 * `consoleDir` for `VIGIE_CONSOLE_DIR`, `root` for the test's own files; `remove()` deletes both
 * (in `afterAll`).
 */
export async function buildConsole(name: string): Promise<{ root: string; consoleDir: string; remove: () => void }> {
  const root = mkdtempSync(join(tmpdir(), `vigie-${name}-`));
  const consoleDir = join(root, 'console');
  await promisify(execFile)(process.execPath, ['scripts/build-console.mjs', '--keep-types', '--out-dir', consoleDir], { cwd: ROOT, timeout: 120_000 });
  return { root, consoleDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
