// CKEditor 5 with the CloudServices plugin, in headless Chromium, against each reference app.
//
// Run by tests/tests/browser.rs (which builds the apps and passes APP_BINARIES as
// "name=/path,name=/path"), or by hand: APP_BINARIES=app-axum=../../target/debug/app-axum npm test
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  apps, here, CS_ENV, CS_TTL, claimsOf, launchChromium, startApp, staticFile, staticTypes,
} from './harness.mjs';

// A static server for the page and CKEditor's browser build, on loopback.
const files = createServer(async (req, res) => {
  const file = staticFile(new URL(req.url, 'http://x').pathname, 'page.html');
  try {
    if (!file) throw new Error('not found');
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': staticTypes[path.extname(file)] || 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => files.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${files.address().port}`;

const browser = await launchChromium();
after(async () => {
  await browser.close();
  files.close();
});

for (const [name, binary] of apps) {
  test(`CKEditor 5 Cloud Services against ${name}`, async () => {
    const app = await startApp(binary, { TOKENGATE_CORS_ORIGINS: origin });
    const page = await browser.newPage();
    const console_ = [];
    page.on('console', (message) => console_.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => console_.push(`pageerror: ${error.message}`));
    try {
      await page.goto(`${origin}/?app=${encodeURIComponent(app.base)}`);
      await page.waitForFunction(() => window.report && window.report.done, null, { timeout: 30000 });
      let report = await page.evaluate(() => window.report);
      assert.deepEqual(report.errors, [], `the editor failed; the page logged:\n${console_.join('\n')}`);
      assert.ok(report.ready, 'the editor became ready');

      // The plugin holds the token from /cs-token, with the right claims.
      const claims = claimsOf(report.pluginToken);
      assert.equal(claims.aud, CS_ENV);
      assert.equal(claims.sub, report.user.id);
      assert.equal(claims.user.name, 'Zoë ~?> Browser');
      assert.equal(claims.user.email, report.user.email);
      assert.deepEqual(claims.auth, { collaboration: { '*': { role: 'writer' } } });
      assert.ok(claims.exp > claims.iat && claims.exp - claims.iat <= CS_TTL, JSON.stringify(claims));

      await mkdir(path.join(here, 'artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(here, 'artifacts', `ckeditor-${name}.png`) });

      // CKEditor refreshes the token before it expires, at half of its lifetime.
      await page.waitForFunction(() => window.report.tokens.length >= 2, null, { timeout: CS_TTL * 1000 });
      report = await page.evaluate(() => window.report);
      const [first, second] = report.tokens;
      const expiry = claimsOf(first.token).exp * 1000;
      assert.ok(second.at < expiry, `refreshed ${expiry - second.at} ms before expiry`);
      assert.notEqual(second.token, first.token);
      const live = await page.evaluate(() => window.editor.plugins.get('CloudServices').token.value);
      assert.equal(live, second.token, 'the plugin now holds the fresh token');

      // Once the user has logged out, a new editor reports the token error instead of starting.
      const failure = await page.evaluate(async (base) => {
        await fetch(base + '/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + window.report.access } });
        try {
          await window.createEditor('#second');
          return null;
        } catch (error) {
          return String(error && error.message ? error.message : error);
        }
      }, app.base);
      assert.ok(failure, 'the editor must not start for a logged-out user');
      assert.match(failure, /cs-token answered 401/);
    } finally {
      await page.close();
      app.stop();
    }
  });
}
