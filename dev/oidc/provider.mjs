// The development OpenID provider: panva's oidc-provider (OpenID Certified), not ours, with
// one test person per role of the suite. People log in here and the registers accept the
// access tokens it issues, exactly as they would a real provider's (DigiD/eHerkenning
// brokers, a government IdP): by discovery, JWKS and the claims named in
// ZEGEL_OIDC_ROLES_CLAIM / ZEGEL_OIDC_ORG_CLAIM. Its issuer ends in /zegel-dev-oidc, which a
// service started with ZEGEL_ENV=production refuses by name.
//
// The login form takes a person's login (any password): see PEOPLE, or README.md here.
// Settings: ZEGEL_OIDC_HOST (127.0.0.1), ZEGEL_OIDC_PORT (8090; 0 picks a free one),
// ZEGEL_OIDC_REDIRECT_URIS (the workbench's callback, comma-separated). On start it prints
// one line `issuer <url>` on stdout, for whoever started it.

import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

const MOUNT = '/zegel-dev-oidc';
const host = process.env.ZEGEL_OIDC_HOST ?? '127.0.0.1';
const port = Number(process.env.ZEGEL_OIDC_PORT ?? 8090);
const redirectUris = (process.env.ZEGEL_OIDC_REDIRECT_URIS ?? 'http://127.0.0.1:8088/login/callback')
  .split(',').map((u) => u.trim()).filter(Boolean);

// The registers, each a resource (RFC 8707) whose tokens name it as their audience.
const SERVICES = ['certificates', 'lookup', 'gaccounts', 'bans', 'deposits', 'housing', 'notifier'];

// Registers that ask others with the caller's own token, so that those log who read what:
// a token for one of them names the others too (an identity provider in production is
// given the same audiences).
const ASKS_ON_BEHALF = { certificates: ['bans', 'deposits'], lookup: ['bans'] };

// One person per role, acting for the organisations the demo data uses.
export const PEOPLE = {
  auditor: { name: 'Anna de Vries', roles: ['certification_body'], org: 'cb-dev' },
  inspector: { name: 'Bram Jansen', roles: ['housing_inspector'] },
  venlo: { name: 'Carla Peeters', roles: ['municipality'], org: '0983' },
  admission: { name: 'Daan Smit', roles: ['admission_authority'] },
  labour: { name: 'Eva Bakker', roles: ['inspectorate'] },
  tax: { name: 'Frank Visser', roles: ['tax'] },
  kvk: { name: 'Gerda Mulder', roles: ['kvk'] },
  agency: { name: 'Hans de Boer', roles: ['agency'], org: '30000001' },
  provider: { name: 'Ingrid Dekker', roles: ['housing_provider'], org: '40000001' },
  hirer: { name: 'Jan Meijer', roles: ['hirer'], org: '50000001' },
  support: { name: 'Kim Bos', roles: ['worker_support'] },
  operator: { name: 'Lars Vos', roles: ['admin'] },
};

function signingKey(type, options, kid, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

function resourceServer(indicator) {
  const service = /^urn:zegel:([a-z]+)$/.exec(indicator)?.[1];
  if (!SERVICES.includes(service)) {
    throw new errors.InvalidTarget(`unknown resource ${indicator}`);
  }
  return {
    scope: 'zegel',
    audience: `zegel-${service}`,
    // An operator's token lives an hour at most (the registers refuse longer ones).
    accessTokenTTL: 3600,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'EdDSA' } },
  };
}

const configuration = {
  clients: [{
    client_id: 'zegel-workbench',
    client_secret: 'zegel-workbench-dev-secret',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris.map((u) => new URL('/', u).href),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // Fresh keys at every start: RS256 for ID tokens (the default every client supports),
  // Ed25519 for access tokens.
  jwks: {
    keys: [
      signingKey('rsa', { modulusLength: 2048 }, `rs-${randomBytes(4).toString('hex')}`, 'RS256'),
      signingKey('ed25519', {}, `ed-${randomBytes(4).toString('hex')}`, 'EdDSA'),
    ],
  },
  enabledJWA: { idTokenSigningAlgValues: ['RS256'], requestObjectSigningAlgValues: ['RS256'] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'zegel', 'offline_access'],
  claims: { openid: ['sub'], profile: ['name'], zegel: ['roles', 'org'] },
  formats: {
    customizers: {
      async jwt(ctx, token, jwt) {
        const service = jwt.payload.aud?.replace(/^zegel-/, '');
        const also = ASKS_ON_BEHALF[service] ?? [];
        if (also.length) jwt.payload.aud = [jwt.payload.aud, ...also.map((s) => `zegel-${s}`)];
      },
    },
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:zegel:lookup',
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => resourceServer(indicator),
    },
  },
  async findAccount(ctx, id) {
    const person = PEOPLE[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: person.name, roles: person.roles, org: person.org };
      },
    };
  },
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken') return undefined;
    const person = PEOPLE[token.accountId];
    return person ? { roles: person.roles, org: person.org } : undefined;
  },
  // The workbench is the suite's own client: what it asks for is granted without a consent
  // page, every register included.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile zegel offline_access');
    grant.addOIDCClaims(['sub', 'name', 'roles', 'org']);
    for (const service of SERVICES) grant.addResourceScope(`urn:zegel:${service}`, 'zegel');
    await grant.save();
    return grant;
  },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 8 * 3600,
    Grant: 8 * 3600,
    RefreshToken: 8 * 3600,
  },
};

const server = http.createServer();
server.listen(port, host, () => {
  const { port: bound } = server.address();
  const issuer = `http://${host}:${bound}${MOUNT}`;
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url === MOUNT || req.url.startsWith(`${MOUNT}/`)) {
      // Mounted under MOUNT: the provider reads its mount path from originalUrl.
      req.originalUrl = req.url;
      req.url = req.url.slice(MOUNT.length) || '/';
      callback(req, res);
    } else {
      res.writeHead(404).end();
    }
  });
  process.stdout.write(`issuer ${issuer}\n`);
});

// Whoever started it may stop reading its output; that must not stop the provider.
process.stdout.on('error', () => {});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
