import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readEnvironment } from '../../config/src/environment';

export interface OidcTestAccount {
  /** The account id: what to type as the login on the provider's login page (any password works). */
  id: string;
  email: string;
  /** The `email_verified` claim; left out of the claims when undefined (as ProConnect does). */
  emailVerified?: boolean;
}

export interface OidcProviderOptions {
  accounts: OidcTestAccount[];
  /**
   * The redirect URIs registered for the client (`${VIGIE_PUBLIC_URL}/auth/oidc/callback`). By
   * default `http://127.0.0.1/auth/oidc/callback` and `http://localhost/auth/oidc/callback` on any
   * port, so that a test app started after the provider with `ownPublicUrl: true` fits.
   */
  redirectUris?: string[];
  clientId?: string;
  clientSecret?: string;
  /** The only client authentication the provider accepts and lists in its metadata; ProConnect's is client_secret_post. */
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  /** Userinfo answered as a JWT signed RS256 (as ProConnect does): set OIDC_USERINFO_SIGNED_RESPONSE_ALG=RS256. */
  userinfoSigned?: boolean;
  /** Put the e-mail claims in the ID token too; by default they are in userinfo only (as ProConnect does). */
  emailInIdToken?: boolean;
}

export interface OidcTestProvider {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** The Vigie settings that use this provider. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const SERVER_SCRIPT = join(__dirname, 'oidc-provider-server.mjs');

/**
 * Starts a real OpenID provider (the `oidc-provider` package) in a child Node process on a free
 * port of 127.0.0.1, with one confidential client and the given accounts. Its own login page
 * (`/interaction/{uid}`) takes any login that is an account id, with any password; the client is
 * first-party, so no consent page follows. PKCE is required. Call `close()` in afterAll.
 *
 * ```ts
 * const provider = await startOidcProvider({ accounts: [{ id: 'agent', email: 'agent@police.test' }] });
 * const t = await startTestApp({ ownPublicUrl: true, env: provider.env });
 * ```
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcTestProvider> {
  const clientId = options.clientId ?? 'vigie-test';
  const clientSecret = options.clientSecret ?? `secret-${randomBytes(16).toString('hex')}`;
  const tokenEndpointAuthMethod = options.tokenEndpointAuthMethod ?? 'client_secret_post';
  const settings = {
    accounts: options.accounts,
    redirectUris: options.redirectUris ?? null,
    clientId,
    clientSecret,
    tokenEndpointAuthMethod,
    userinfoSigned: options.userinfoSigned ?? false,
    emailInIdToken: options.emailInIdToken ?? false,
    cookieKey: randomBytes(16).toString('hex'),
  };
  const child = spawn(process.execPath, [SERVER_SCRIPT, JSON.stringify(settings)], {
    env: { PATH: readEnvironment().PATH ?? '', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const issuerUrl = await firstLine(child, exited, stderr);
    return {
      issuerUrl,
      clientId,
      clientSecret,
      env: {
        OIDC_ISSUER_URL: issuerUrl,
        OIDC_CLIENT_ID: clientId,
        OIDC_CLIENT_SECRET: clientSecret,
        ...(settings.userinfoSigned ? { OIDC_USERINFO_SIGNED_RESPONSE_ALG: 'RS256' } : {}),
      },
      close: () => stop(child, exited),
    };
  } catch (error) {
    await stop(child, exited);
    throw error;
  }
}

async function firstLine(child: ChildProcess, exited: Promise<void>, stderr: string[]): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  try {
    const line = await Promise.race([
      new Promise<string>((resolve) => lines.once('line', resolve)),
      exited.then(() => {
        throw new Error(`The OpenID provider exited before listening: ${stderr.join('').slice(-2000)}`);
      }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('The OpenID provider did not start within 15 s')), 15_000).unref()),
    ]);
    return (JSON.parse(line) as { issuerUrl: string }).issuerUrl;
  } finally {
    lines.close();
    child.stdout!.resume();
  }
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(killer);
}
