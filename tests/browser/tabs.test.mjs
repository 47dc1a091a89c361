// Two tabs of one browser session, in headless Chromium, against each reference app: both
// tabs find their access cookie expired and call POST /session/refresh at the same moment
// with the same cookies. Both must get 204 and both must stay signed in: the refresh grace
// hands the second tab the successor the first one got, instead of ending the login.
//
// Run by tests/tests/browser.rs (APP_BINARIES as "name=/path,name=/path").
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { apps, launchChromium, sameOrigin, startApp } from './harness.mjs';

const browser = await launchChromium();
after(() => browser.close());

for (const [name, binary] of apps) {
  test(`two tabs refreshing at once stay signed in against ${name}`, async () => {
    // Access tokens of two seconds: the tabs wait them out, as tabs left open do.
    const app = await startApp(binary, { TOKENGATE_ACCESS_TTL: '2' });
    const site = await sameOrigin(app.base, 'tabs.html');
    const context = await browser.newContext();
    const [one, two] = [await context.newPage(), await context.newPage()];
    try {
      await one.goto(`${site.base}/`);
      await two.goto(`${site.base}/`);
      const email = `tabs${Date.now()}@example.com`;
      const signedIn = await one.evaluate(async (email) => {
        const json = { 'content-type': 'application/json' };
        const body = JSON.stringify({ name: 'Two Tabs', email, password: 'password1' });
        await fetch('/signup', { method: 'POST', headers: json, body });
        const session = await fetch('/session', { method: 'POST', headers: json, body });
        return session.status;
      }, email);
      assert.equal(signedIn, 204);
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const expired = await two.evaluate(async () => (await fetch('/users/me')).status);
      assert.equal(expired, 401, 'the access cookie has expired in both tabs');

      const refresh = (tab) => tab.evaluate(async () => {
        const response = await fetch('/session/refresh', {
          method: 'POST', headers: { 'x-csrf-token': window.csrf() },
        });
        return response.status;
      });
      const statuses = await Promise.all([refresh(one), refresh(two)]);
      assert.deepEqual(statuses, [204, 204], 'both tabs refreshed');
      for (const tab of [one, two]) {
        const me = await tab.evaluate(async () => (await fetch('/users/me')).status);
        assert.equal(me, 200, 'each tab is still signed in');
      }
      const refreshRequests = site.seen.requests.filter(({ path }) => path === '/session/refresh');
      assert.equal(refreshRequests.length, 2, 'the two refreshes went to the app');
      // The login goes on: a later refresh works, from either tab.
      assert.equal(await refresh(two), 204);
      assert.equal(await one.evaluate(async () => (await fetch('/users/me')).status), 200);
    } finally {
      await context.close();
      site.close();
      app.stop();
    }
  });
}
