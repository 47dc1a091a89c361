// A real OpenID Connect provider (panva's oidc-provider) on loopback, for tokengate's
// remote-key tests. It issues JWT access tokens (RFC 9068, `typ: at+jwt`) by the client
// credentials grant for one resource (the audience); with a `DPoP` proof header on the token
// request, the token is bound to the proof's key (`cnf.jkt`, token_type DPoP).
//
//   node provider.mjs [PORT]        PORT (or the PORT variable) 0 picks a free port
//
// Environment:
//   SIGNING_ALG   RS256 (default), PS256 or ES256 (any JWS algorithm jose can generate)
//   RESOURCE      the resource indicator and `aud` of access tokens
//                 (default https://api.tokengate.test)
//   JWKS_MAX_AGE  when set, the JWKS answer carries `Cache-Control: max-age=JWKS_MAX_AGE`
//
// Once listening it prints one line: `listening on http://127.0.0.1:PORT`; the issuer is
// that URL. Besides the provider's own routes:
//   POST /__rotate   signs with a new key from now on; the JWKS keeps the previous key too
//                    (`?keep=0` drops it). Answers {"kid": NEW_KID}. SIGUSR2 does the same.
//   GET  /__stats    {"jwks": N, "discovery": N, "tokens": N, "kid": CURRENT_KID}: how many
//                    times each was requested.
//
// The client: client_id `tokengate-test`, client_secret `tokengate-test-secret`
// (client_secret_basic or client_secret_post), scopes `documents:read documents:write`.
//
//   curl -s -u tokengate-test:tokengate-test-secret -d grant_type=client_credentials \
//        -d scope=documents:read -d resource=https://api.tokengate.test $ISSUER/token

import http from 'node:http';

import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const alg = process.env.SIGNING_ALG ?? 'RS256';
const resource = process.env.RESOURCE ?? 'https://api.tokengate.test';
const maxAge = process.env.JWKS_MAX_AGE;
const scopes = 'documents:read documents:write';

const stats = { jwks: 0, discovery: 0, tokens: 0, kid: undefined };
let keys = [];
let generation = 0;
let provider;
let issuer;

async function newKey() {
  generation += 1;
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `${alg.toLowerCase()}-${generation}`, alg, use: 'sig' };
}

// oidc-provider fixes its keys when it is built: a rotation builds a new provider behind the
// same issuer. The first key of the set signs.
function build() {
  const built = new Provider(issuer, {
    clients: [
      {
        client_id: 'tokengate-test',
        client_secret: 'tokengate-test-secret',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: scopes,
        // The provider checks this against its keys even when no ID token is issued.
        id_token_signed_response_alg: alg,
      },
    ],
    jwks: { keys },
    scopes: scopes.split(' '),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A token request with a DPoP proof gets a token bound to its key (cnf.jkt, RFC 9449).
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) {
            throw new errors.InvalidTarget();
          }
          return {
            audience: resource,
            scope: scopes,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg } },
          };
        },
      },
    },
  });
  stats.kid = keys[0].kid;
  return built;
}

async function rotate(keep) {
  const key = await newKey();
  keys = keep ? [key, keys[0]] : [key];
  provider = build();
  return key.kid;
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const { pathname, searchParams } = new URL(req.url, 'http://localhost');
  if (pathname === '/__stats') {
    json(res, 200, stats);
    return;
  }
  if (pathname === '/__rotate' && req.method === 'POST') {
    rotate(searchParams.get('keep') !== '0').then(
      (kid) => json(res, 200, { kid }),
      (error) => json(res, 500, { error: String(error) }),
    );
    return;
  }
  if (pathname === '/jwks') {
    stats.jwks += 1;
    if (maxAge !== undefined) {
      // Koa keeps a header set before it runs unless the route sets its own.
      res.setHeader('cache-control', `max-age=${maxAge}`);
    }
  } else if (pathname === '/.well-known/openid-configuration') {
    stats.discovery += 1;
  } else if (pathname === '/token') {
    stats.tokens += 1;
  }
  provider.callback()(req, res);
});

server.listen(port, '127.0.0.1', async () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  keys = [await newKey()];
  provider = build();
  process.on('SIGUSR2', () => {
    rotate(true).catch((error) => console.error(error));
  });
  console.log(`listening on ${issuer}`);
});
