// A browser session against each reference app, in headless Chromium: the page is served
// from the app's own origin (a small proxy in front of it), logs in with fetch('/session')
// and starts CKEditor 5 with `tokenUrl: '/cs-token'` as a plain string, so only cookies
// authenticate. A page on another site then tries to write with the victim's cookies.
//
// Run by tests/tests/browser.rs (APP_BINARIES as "name=/path,name=/path").
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  apps, CS_ENV, CS_TTL, claimsOf, launchChromium, sameOrigin, startApp,
} from './harness.mjs';

const browser = await launchChromium();
after(() => browser.close());

/** A page on another site (`localhost` is another site than `127.0.0.1`). */
async function otherSite() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title><p>another site</p>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://localhost:${server.address().port}`, close: () => server.close() };
}

for (const [name, binary] of apps) {
  test(`a browser session and CKEditor's plain tokenUrl against ${name}`, async () => {
    const app = await startApp(binary);
    const site = await sameOrigin(app.base, 'session.html');
    const elsewhere = await otherSite();
    const page = await browser.newPage();
    const console_ = [];
    page.on('console', (message) => console_.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => console_.push(`pageerror: ${error.message}`));
    try {
      await page.goto(`${site.base}/`);
      await page.waitForFunction(() => window.report && window.report.done, null, { timeout: 30000 });
      let report = await page.evaluate(() => window.report);
      assert.deepEqual(report.errors, [], `the editor failed; the page logged:\n${console_.join('\n')}`);
      assert.equal(report.sessionStatus, 204);
      assert.ok(report.ready, 'the editor became ready with tokenUrl as a string');

      // Scripts see the CSRF cookie, never a token.
      assert.match(report.cookies, /tokengate_csrf=/);
      assert.doesNotMatch(report.cookies, /tokengate_access|tokengate_refresh/);
      assert.ok(!report.cookies.includes(report.pluginToken));

      // The plugin's token came from /cs-token through the cookie, with the user's claims.
      const claims = claimsOf(report.pluginToken);
      assert.equal(claims.aud, CS_ENV);
      assert.equal(claims.sub, report.user.id);
      assert.equal(claims.user.name, 'Zoë Session');
      assert.deepEqual(claims.auth, { collaboration: { '*': { role: 'writer' } } });
      assert.ok(site.seen.tokens.some(({ token }) => token === report.pluginToken));

      // CKEditor refreshes the token before it expires, still by cookie.
      await page.waitForFunction(
        () => window.editor.plugins.get('CloudServices').token.value !== window.report.pluginToken,
        null, { timeout: CS_TTL * 1000 });
      const [first, second] = site.seen.tokens;
      assert.ok(second, 'a second token was fetched');
      assert.ok(second.at < claimsOf(first.token).exp * 1000, 'refreshed before expiry');

      // Another site cannot write with the victim's cookies: the browser withholds them
      // (SameSite) and the CSRF value is unknown there (and CORS refuses the preflight).
      const other = await browser.newPage();
      await other.goto(`${elsewhere.base}/`);
      const attempts = await other.evaluate(async (target) => {
        const outcome = async (request) => {
          try {
            const response = await request;
            return response.type === 'opaque' ? 'opaque' : response.status;
          } catch (error) {
            return 'refused';
          }
        };
        return [
          await outcome(fetch(target + '/documents/doc-1', {
            method: 'PUT', credentials: 'include', headers: { 'x-csrf-token': 'guess' },
          })),
          await outcome(fetch(target + '/documents/doc-1', {
            method: 'PUT', credentials: 'include', mode: 'no-cors',
          })),
          await outcome(fetch(target + '/logout', { method: 'POST', credentials: 'include', mode: 'no-cors' })),
        ];
      }, site.base);
      await other.close();
      for (const attempt of attempts) {
        assert.ok(attempt === 'refused' || attempt === 'opaque' || attempt >= 400, String(attempt));
      }
      const crossSite = site.seen.requests.filter(({ origin }) => origin === elsewhere.base);
      for (const request of crossSite) {
        assert.ok(request.status >= 400 || request.method === 'OPTIONS', JSON.stringify(request));
      }
      const still = await page.evaluate(async () => (await fetch('/users/me')).status);
      assert.equal(still, 200, 'the cross-site attempts ended nothing');

      // DELETE /session with the CSRF header read from document.cookie ends the session;
      // the next token fetch fails.
      const ended = await page.evaluate(async () => {
        const response = await fetch('/session', { method: 'DELETE', headers: { 'x-csrf-token': window.csrf() } });
        return { status: response.status, cookies: document.cookie };
      });
      assert.equal(ended.status, 204);
      assert.doesNotMatch(ended.cookies, /tokengate_csrf=/, 'the cookies are cleared');
      const failure = await page.evaluate(async () => {
        try {
          await window.createEditor('#second');
          return null;
        } catch (error) {
          return String(error && error.message ? error.message : error);
        }
      });
      assert.ok(failure, 'no editor starts once the session has ended');
      const last = site.seen.requests.filter(({ path }) => path === '/cs-token').at(-1);
      assert.equal(last.status, 401);
    } finally {
      await page.close();
      site.close();
      elsewhere.close();
      app.stop();
    }
  });
}
