// The web chat page in real Chromium (Debian's, driven by playwright-core), through the bundled
// nginx of a bin/up stack with two replicas, found by role and name as a user's screen reader would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { root } from './helpers.mjs';

const PORT = 18380;
const FIRST_REPLICA = 18381;
const VAR = path.join(root, 'target', 'web-var');
const base = `http://127.0.0.1:${PORT}`;
const SHOTS = process.env.SB_SCREENSHOTS; // a directory: the docs' screenshots are taken there
const stackEnv = {
  ...process.env,
  SB_VAR: VAR,
  SB_PORT: String(PORT),
  SB_REPLICA_BASE: String(FIRST_REPLICA),
  SB_REPLICAS: '2',
  REDIS_URL: `redis://127.0.0.1:${process.env.SB_TEST_REDIS_PORT || 16379}`,
  SWITCHBOARD_SWARM_FILE: path.join(root, 'tests/node/swarm-web.yaml'),
  SB_ADMIN_API_KEY: 'ops-page-test-key',
};
let browser;

before(async () => {
  execFileSync(path.join(root, 'bin/down'), { env: stackEnv, stdio: 'ignore' });
  execFileSync(path.join(root, 'bin/up'), ['-d'], { env: stackEnv, stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
  browser = await chromium.launch({
    executablePath: process.env.SB_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  execFileSync(path.join(root, 'bin/down'), { env: stackEnv, stdio: 'ignore' });
});

/** A fresh visitor (own localStorage) on the page; page errors and CSP violations fail the test. */
async function visit(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(base + '/');
  await expectText(page.getByRole('status'), /^Connected$/);
  return { page, context, problems };
}

async function expectText(locator, pattern, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent().catch(() => '')) ?? '';
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`expected ${pattern}, last saw ${JSON.stringify(last)}`);
}

async function send(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

const log = (page) => page.getByRole('log');
const replies = (page) => log(page).locator('article.msg.assistant:not([aria-busy])');

test('send and receive through nginx; Enter sends, Shift+Enter is a new line', async () => {
  const { page, context, problems } = await visit();
  await send(page, 'hello from the browser');
  await expectText(replies(page).first(), /said="hello from the browser"/);
  const meta = await replies(page).first().locator('.meta').textContent();
  assert.match(meta, /^triage · replica 1838[12]$/);
  await expectText(page.getByLabel('Token budget'), /^[\d,]+ tokens left · resets in \d+ (min|h)/);

  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await page.keyboard.type('first line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('second line');
  assert.equal(await box.inputValue(), 'first line\nsecond line');
  await page.keyboard.press('Enter');
  assert.equal(await box.inputValue(), '');
  await expectText(replies(page).nth(1), /users=2 said="first line second line"/); // the simulator echoes one line
  assert.equal(await log(page).locator('.msg.user').nth(1).textContent(), 'first line\nsecond line');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a spent budget is shown with when it resets, and the message stays for a retry', async () => {
  // the swarm file gives clientIds "budget-..." a shared group of 1 token an hour: spent by one turn
  const { page, context, problems } = await visit();
  await page.evaluate(() => localStorage.setItem('sb.clientId', `budget-${crypto.randomUUID()}`));
  await page.reload();
  await expectText(page.getByRole('status'), /^Connected$/);
  await send(page, 'spend it');
  await page.waitForFunction(() => document.querySelector('#log .problem, #log article.msg.assistant:not([aria-busy])'));
  await send(page, 'and more');
  const alert = await expectText(page.getByRole('alert').last(), /token budget for now\. It resets in \d+ (min|h)/);
  assert.match(alert, /nothing was saved/);
  await expectText(page.getByLabel('Token budget'), /^Token budget used up · resets in \d+ (min|h)/);
  await page.getByRole('alert').last().getByRole('button', { name: 'Retry' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the operations page is on the replica only, asks for the admin key and refreshes itself', async () => {
  assert.equal((await fetch(`${base}/admin/ops.html`)).status, 404, 'nginx does not serve /admin/ on the public port');
  const context = await browser.newContext();
  const ops = await context.newPage();
  const problems = [];
  ops.on('pageerror', (e) => problems.push(e.message));
  ops.on('console', (m) => { if (m.type() === 'error' && !/401/.test(m.text())) problems.push(m.text()); });
  await ops.goto(`http://127.0.0.1:${FIRST_REPLICA}/admin/ops.html`);
  await ops.getByLabel(/Admin key/).fill('wrong-key');
  await ops.getByRole('button', { name: 'Show' }).click();
  await expectText(ops.getByRole('status'), /That key was refused/);
  await ops.getByLabel(/Admin key/).fill('ops-page-test-key');
  await ops.getByRole('button', { name: 'Show' }).click();
  const backends = ops.getByRole('table', { name: 'Backends' });
  await expectText(backends, /web-ollama/);
  assert.match(await backends.textContent(), /web-openai/);
  assert.match(await backends.locator('tbody tr').first().textContent(), /^web-\w+(up|half-open)\d+ \/ 8/);
  assert.equal(await ops.getByRole('definition').first().textContent(), String(FIRST_REPLICA));
  // a chat page opens a socket on some replica: the page shows it without a reload once it is this one
  const before = Number(await ops.locator('#sockets').textContent());
  const chats = [];
  for (let i = 0; i < 4; i++) chats.push(await visit());
  await expectText(ops.locator('#sockets'), new RegExp(`^(?!${before}$)\\d+$`), 15_000);
  for (const c of chats) await c.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('streaming shows partial text before the reply is complete', async () => {
  const { page, context } = await visit();
  await send(page, 'a long one please [[sim:long=120]]');
  const bubble = log(page).locator('article.msg.assistant').last();
  // tokens every 15 ms: the bubble has some text while it is still busy
  const deadline = Date.now() + 20_000;
  let partial = null;
  while (Date.now() < deadline && partial === null) {
    const [busy, text] = await bubble.evaluate((el) => [el.getAttribute('aria-busy'), el.querySelector('.body').textContent]);
    if (busy === 'true' && text.length > 0) partial = text;
    else if (busy !== 'true') break;
  }
  assert.ok(partial, 'saw partial text while the turn ran');
  const final = await expectText(replies(page).last(), /said="a long one please/);
  assert.ok(final.length > partial.length, 'the final text is longer than the partial one');
  await context.close();
});

test('a handoff shows a notice and the new agent on the reply', async () => {
  const { page, context } = await visit();
  await send(page, 'please let me talk to sales');
  await expectText(log(page).locator('.notice').first(), /^triage handed the conversation to sales$/);
  await expectText(replies(page).last().locator('.meta'), /^sales · replica/);
  // the next turn stays with sales
  await send(page, 'what do you sell?');
  await expectText(replies(page).nth(1).locator('.meta'), /^sales · replica/);
  await context.close();
});

test('Stop cancels the running turn and nothing of it is kept', async () => {
  const { page, context } = await visit();
  await send(page, 'take your time [[sim:delay=5000]]');
  const stop = page.getByRole('button', { name: 'Stop' });
  await stop.waitFor({ state: 'visible' });
  await stop.click();
  await expectText(log(page).locator('.msg.user').last(), /Stopped; not saved$/);
  await stop.waitFor({ state: 'hidden' });
  assert.equal(await replies(page).count(), 0);
  await page.reload();
  await expectText(page.getByRole('status'), /^Connected$/);
  assert.equal(await log(page).locator('.msg').count(), 0, 'a cancelled turn is not in the history');
  await context.close();
});

test('Markdown is rendered, raw HTML and javascript: links are not', async () => {
  const { page, context, problems } = await visit();
  // the simulator echoes the first 80 characters of the message into its answer
  const evil = '<img src=x onerror=alert(1)>**b** [ok](https://a.io) [x](javascript:alert(1))';
  await send(page, evil);
  const reply = replies(page).last();
  await expectText(reply, /said=/);
  const body = reply.locator('.body');
  assert.equal(await body.locator('img, script, iframe').count(), 0);
  assert.equal(await page.locator('.msg.user').last().locator('img, script, strong').count(), 0, 'user text is plain');
  assert.equal(await body.locator('strong').first().textContent(), 'b');
  const hrefs = await body.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, ['https://a.io/']);
  assert.match(await body.textContent(), /<img src=x onerror=alert\(1\)>/, 'HTML shows as text');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the page forbids inline script (Content-Security-Policy)', async () => {
  const r = await fetch(base + '/');
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const { page, context } = await visit();
  const ran = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', () => resolve('blocked'), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.__inline = true';
    document.body.append(s);
    setTimeout(() => resolve(window.__inline ? 'ran' : 'blocked'), 500);
  }));
  assert.equal(ran, 'blocked');
  await context.close();
});

test('the replica serving the socket is SIGKILLed mid-conversation: the page recovers and shows everything once', async () => {
  const { page, context } = await visit();
  await send(page, 'before the crash');
  await expectText(replies(page).first(), /said="before the crash"/);
  const served = await replies(page).first().getAttribute('data-replica');
  // a turn is running on that replica when it dies; the page resends it, another replica answers
  await send(page, 'during the crash [[sim:delay=1500]]');
  await page.locator('article.msg.assistant[aria-busy="true"]').waitFor();
  const pid = Number(fs.readFileSync(path.join(VAR, 'run', `replica-${served}.pid`), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await expectText(page.getByRole('status'), /Disconnected|Reconnecting/, 10_000);
  await expectText(page.getByRole('status'), /^Connected$/, 30_000);
  await expectText(replies(page).nth(1), /users=2 said="during the crash/, 45_000);
  const other = await replies(page).nth(1).getAttribute('data-replica');
  assert.notEqual(other, served);
  await send(page, 'after the crash');
  await expectText(replies(page).nth(2), /users=3 said="after the crash"/);
  const users = await log(page).locator('.msg.user').allTextContents();
  assert.deepEqual(users.map((t) => t.replace(/ \[\[.*$/, '')), ['before the crash', 'during the crash', 'after the crash']);
  assert.equal(await replies(page).count(), 3, 'no reply is duplicated');

  // a reload redraws the same conversation from the history
  await page.reload();
  await expectText(page.getByRole('status'), /^Connected$/);
  await expectText(replies(page).nth(2), /said="after the crash"/);
  assert.deepEqual((await log(page).locator('.msg.user').allTextContents()).map((t) => t.replace(/ \[\[.*$/, '')),
    ['before the crash', 'during the crash', 'after the crash']);
  assert.equal(await replies(page).count(), 3);
  await context.close();
});

test('New chat starts another session with a random 128-bit clientId', async () => {
  const { page, context } = await visit();
  await send(page, 'old chat');
  await expectText(replies(page).first(), /said="old chat"/);
  const before = await page.evaluate(() => localStorage.getItem('sb.clientId'));
  await page.getByRole('button', { name: 'New chat' }).click();
  await expectText(page.getByRole('status'), /^Connected$/);
  const after = await page.evaluate(() => localStorage.getItem('sb.clientId'));
  assert.match(after, /^web-[0-9a-f]{32}$/);
  assert.notEqual(after, before);
  assert.equal(await replies(page).count(), 0);
  await send(page, 'new chat');
  await expectText(replies(page).first(), /users=1 said="new chat"/);
  await context.close();
});

test('screenshots: light, dark, phone width', { skip: !SHOTS }, async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [name, options] of [
    ['web-light.png', { colorScheme: 'light', viewport: { width: 1000, height: 700 } }],
    ['web-dark.png', { colorScheme: 'dark', viewport: { width: 1000, height: 700 } }],
    ['web-phone.png', { colorScheme: 'light', viewport: { width: 390, height: 760 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
  ]) {
    const { page, context } = await visit(options);
    await send(page, 'Hi! Can you **summarize** what you do?');
    await expectText(replies(page).first(), /said=/);
    await send(page, 'I would like to talk to sales');
    await expectText(replies(page).nth(1).locator('.meta'), /^sales/);
    await page.screenshot({ path: path.join(SHOTS, name) });
    await context.close();
  }
});
