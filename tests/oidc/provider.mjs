// A real OpenID Connect provider for partnerhub's single sign-on tests: oidc-provider on 127.0.0.1, with one
// client (partnerhub) and a few accounts. Its development login and consent forms accept any password.
//
//   node provider.mjs PORT REDIRECT_URI [REDIRECT_URI ...]
//
// Prints "ready <issuer>" once it listens. Test use only: the signing key is made at start and lost at exit.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const [port, ...redirectUris] = process.argv.slice(2);
if (!port || redirectUris.length === 0) {
  console.error('usage: node provider.mjs PORT REDIRECT_URI [REDIRECT_URI ...]');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// The accounts, by the login typed on the provider's form. `amr`: how the provider says the person signed in
// (RFC 8176); "mfa" means with more than one factor.
const ACCOUNTS = {
  'anna@tailspin.example': { name: 'Anna Tailspin', email_verified: true, amr: ['pwd'] },
  'marco@tailspin.example': { name: 'Marco Tailspin', email_verified: true, amr: ['pwd', 'mfa'] },
  'ben@tailspin.example': { name: 'Ben Unverified', email_verified: false, amr: ['pwd'] },
  'ghost@tailspin.example': { name: 'Ghost Nobody', email_verified: true, amr: ['pwd'] },
  'nadia@wingtip.example': { name: 'Nadia Wingtip', email_verified: true, amr: ['pwd'] },
};

const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: 'test-key-1',
  alg: 'RS256',
  use: 'sig',
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'partnerhub',
    client_secret: 'partnerhub-test-secret',
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'],
  },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: account.email_verified, name: account.name };
      },
    };
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['partnerhub-test-provider-cookies'] },
  jwks: { keys: [signingKey] },
});

// The development login form sets no `amr`: give each account's own when it signs in.
const loginAccount = provider.Session.prototype.loginAccount;
provider.Session.prototype.loginAccount = function withAmr(details) {
  return loginAccount.call(this, { ...details, amr: ACCOUNTS[details.accountId]?.amr });
};

const server = http.createServer(provider.callback());
server.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
