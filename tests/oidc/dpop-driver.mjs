// Drives the DPoP client that docs/dpop.md shows (written next to this file by
// tests/tests/dpop_interop.rs as `dpop-client.generated.mjs`) against a tokengate service:
// login and a protected route through the page's own `loginAndCall`, then a refresh with a
// proof. Prints one JSON line of what it saw.
//
//   node dpop-driver.mjs BASE EMAIL PASSWORD

import { loginAndCall, proof } from './dpop-client.generated.mjs';

const [base, email, password] = process.argv.slice(2);
const { pair, status } = await loginAndCall(base, email, password);
const refreshUrl = `${base}/refresh`;
const refreshed = await fetch(refreshUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json', dpop: await proof('POST', refreshUrl) },
  body: JSON.stringify({ refresh_token: pair.refresh_token }),
});
const next = await refreshed.json();
console.log(JSON.stringify({
  token_type: pair.token_type,
  access_token: pair.access_token,
  protected_status: status,
  refresh_status: refreshed.status,
  refreshed_type: next.token_type,
}));
