// A real OpenID provider for tests (oidc-provider, ESM-only, hence this script run in a child
// process by startOidcProvider). Its settings come as JSON in the first argument; once it listens
// it prints one JSON line { "issuerUrl": … } on stdout. SIGTERM stops it.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
const accounts = new Map(settings.accounts.map((account) => [account.id, account]));

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuerUrl = `http://127.0.0.1:${server.address().port}`;

// Without redirect URIs given, the callback of a Vigie on any loopback port is registered: the
// test app's port is known only once it listens, after this provider is configured.
const anyLoopbackPort = !settings.redirectUris;
const LOOPBACK_CALLBACKS = ['http://127.0.0.1/auth/oidc/callback', 'http://localhost/auth/oidc/callback'];

const client = {
  client_id: settings.clientId,
  client_secret: settings.clientSecret,
  redirect_uris: settings.redirectUris ?? LOOPBACK_CALLBACKS,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: settings.tokenEndpointAuthMethod,
  id_token_signed_response_alg: 'RS256',
  ...(settings.userinfoSigned ? { userinfo_signed_response_alg: 'RS256' } : {}),
};

const provider = new Provider(issuerUrl, {
  clients: [client],
  clientAuthMethods: [settings.tokenEndpointAuthMethod],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // Like ProConnect by default: the e-mail address comes from userinfo, not from the ID token.
  conformIdTokenClaims: !settings.emailInIdToken,
  features: {
    devInteractions: { enabled: true },
    jwtUserinfo: { enabled: Boolean(settings.userinfoSigned) },
  },
  pkce: { required: () => true },
  cookies: { keys: [settings.cookieKey] },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }) };
      },
    };
  },
  // The test client is first-party: no consent page, the grant is given at login.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email');
    grant.addOIDCClaims(['email', 'email_verified']);
    await grant.save();
    return grant;
  },
});

if (anyLoopbackPort) {
  const allowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
    return allowed.call(this, withoutLoopbackPort(value));
  };
}

function withoutLoopbackPort(value) {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname)) return value;
    url.port = '';
    return url.href;
  } catch {
    return value;
  }
}

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuerUrl })}\n`);
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
