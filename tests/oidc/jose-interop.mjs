// Interoperability with jose (npm), both ways, for tokengate's JWK and algorithm tests.
//
//   node jose-interop.mjs sign
//     Makes a key per algorithm (RS256/384/512, PS256/384/512, ES256/384, EdDSA), signs one
//     token with each (`kid` = the algorithm), and prints one JSON line:
//     {"jwks": {"keys": [...]}, "tokens": {"RS256": TOKEN, ...}, "unlisted_alg": TOKEN}.
//     "unlisted_alg" is a PS256 token by an RSA key published without `alg`
//     (kid "rsa-no-alg"), which a verifier must take for RS256 only.
//
//   node jose-interop.mjs verify < INPUT
//     INPUT is {"jwks": {...}, "tokens": {NAME: TOKEN}, "issuer", "audience"}; verifies each
//     token with jose against the JWK set, and prints {"NAME": "ok" | ERROR_CODE, ...}.

import {
  createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT,
} from 'jose';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const ISSUER = 'https://jose.test';
const AUDIENCE = 'tokengate';

async function keyPair(alg) {
  const options = { extractable: true };
  if (alg.startsWith('RS') || alg.startsWith('PS')) options.modulusLength = 2048;
  if (alg === 'EdDSA') options.crv = 'Ed25519';
  return generateKeyPair(alg, options);
}

async function sign(privateKey, alg, kid) {
  return new SignJWT({ scope: 'documents:read' })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(`subject-${kid}`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

async function signAll() {
  const keys = [];
  const tokens = {};
  for (const alg of ALGORITHMS) {
    const { publicKey, privateKey } = await keyPair(alg);
    keys.push({ ...(await exportJWK(publicKey)), kid: alg, alg, use: 'sig' });
    tokens[alg] = await sign(privateKey, alg, alg);
  }
  const { publicKey, privateKey } = await keyPair('PS256');
  keys.push({ ...(await exportJWK(publicKey)), kid: 'rsa-no-alg', use: 'sig' });
  const unlistedAlg = await sign(privateKey, 'PS256', 'rsa-no-alg');
  return { jwks: { keys }, tokens, unlisted_alg: unlistedAlg };
}

async function verifyAll(input) {
  const jwks = createLocalJWKSet(input.jwks);
  const results = {};
  for (const [name, token] of Object.entries(input.tokens)) {
    try {
      await jwtVerify(token, jwks, { issuer: input.issuer, audience: input.audience });
      results[name] = 'ok';
    } catch (error) {
      results[name] = error.code ?? String(error);
    }
  }
  return results;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const mode = process.argv[2];
if (mode === 'sign') {
  console.log(JSON.stringify(await signAll()));
} else if (mode === 'verify') {
  console.log(JSON.stringify(await verifyAll(await readStdin())));
} else {
  console.error('usage: node jose-interop.mjs sign | verify < INPUT');
  process.exit(2);
}
