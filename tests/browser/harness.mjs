// What the browser tests share: the app's settings, starting an app binary on loopback,
// Chromium, and reading a CKEditor token's claims.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, request as forward } from 'node:http';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const here = path.dirname(new URL(import.meta.url).pathname);
export const SECRET = 'scenario-suite-secret-0123456789abcdef';
export const CS_ENV = 'LJRQ1bju55p6a47RwadH';
export const CS_KEY = 'w1lnWEN63FPKxBNmxHN7WpfW2IoYVYca5moqIUKfWesL1Ykwv34iR5xwfWLy';
export const CS_TTL = 6; // seconds: CKEditor refreshes at half of the remaining lifetime

/** The apps to test, from APP_BINARIES ("name=/path,name=/path"). */
export const apps = (process.env.APP_BINARIES || '')
  .split(',')
  .filter(Boolean)
  .map((pair) => pair.split('='));
assert.ok(apps.length > 0, 'APP_BINARIES names at least one app');

export const launchChromium = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** Starts an app binary on a free loopback port; resolves to its base URL and a stop(). */
export async function startApp(binary, env = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tokengate-browser-'));
  const child = spawn(binary, [], {
    env: {
      PATH: process.env.PATH,
      TOKENGATE_ADDR: '127.0.0.1:0',
      TOKENGATE_SECRET: SECRET,
      TOKENGATE_DATABASE_URL: `sqlite://${dir}/browser.db`,
      TOKENGATE_CS_ENVIRONMENT_ID: CS_ENV,
      TOKENGATE_CS_ACCESS_KEY: CS_KEY,
      TOKENGATE_CS_TTL: String(CS_TTL),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary} did not start`)), 30000);
    lines.on('line', (line) => {
      if (line.startsWith('listening on ')) {
        clearTimeout(timer);
        resolve(line.slice('listening on '.length).trim());
      }
    });
    child.on('exit', (code) => reject(new Error(`${binary} exited with ${code}`)));
  });
  return { base, stop: () => child.kill('SIGTERM') };
}

/** The claims of a CKEditor token, checking that its payload survives atob(). */
export function claimsOf(token) {
  const payload = token.split('.')[1];
  assert.doesNotMatch(payload, /[-_]/, 'the payload segment must be readable by atob()');
  return JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
}

/** CKEditor's browser build and the test pages, for the static servers of both tests. */
export const staticTypes = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
export function staticFile(pathname, page) {
  if (pathname === '/') return path.join(here, page);
  if (pathname.startsWith('/ckeditor5/')) {
    return path.join(here, 'node_modules/ckeditor5/dist/browser', path.basename(pathname));
  }
  return null;
}

async function serveFile(res, file) {
  const body = await readFile(file);
  res.writeHead(200, { 'content-type': staticTypes[path.extname(file)] || 'application/octet-stream' });
  res.end(body);
}

/**
 * One origin for a test page and the app: `page` (at `/`) and CKEditor's files are served
 * here, every other path is forwarded to the app. Records what it forwarded (method, path,
 * status, and the CKEditor tokens it saw go by).
 */
export async function sameOrigin(appBase, page) {
  const app = new URL(appBase);
  const seen = { requests: [], tokens: [] };
  const server = createServer((req, res) => {
    const file = staticFile(new URL(req.url, 'http://x').pathname, page);
    if (file) return serveFile(res, file).catch(() => res.writeHead(404).end());
    const upstream = forward({
      host: app.hostname, port: app.port, method: req.method, path: req.url, headers: req.headers,
    }, (answer) => {
      const chunks = [];
      answer.on('data', (chunk) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.requests.push({ method: req.method, path: req.url, status: answer.statusCode, origin: req.headers.origin });
        if (req.url === '/cs-token' && answer.statusCode === 200) {
          seen.tokens.push({ at: Date.now(), token: body.toString() });
        }
        res.writeHead(answer.statusCode, answer.headers);
        res.end(body);
      });
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}`, seen, close: () => server.close() };
}
