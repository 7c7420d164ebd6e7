// The PM2 file run by the real pm2: five replicas come up online and answer, then stop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root, waitFor, startSimulator, stop, tempDir } from './helpers.mjs';

const WebSocket = createRequire(path.join(root, 'package.json'))('ws');
const pm2Bin = path.join(root, 'node_modules/.bin/pm2');
const BASE = 19081;
const env = {
  ...process.env,
  PM2_HOME: tempDir('pm2-home-'),
  SB_VAR: tempDir('pm2-var-'),
  SB_REPLICA_BASE: String(BASE),
  SB_REPLICAS: '5',
  REDIS_URL: `redis://127.0.0.1:${process.env.SB_TEST_REDIS_PORT || 16379}`,
  SWITCHBOARD_SWARM_FILE: path.join(root, 'tests/node/swarm-pm2.yaml'),
  SB_JAVA_OPTS: '-XX:+UseSerialGC -Xmx192m -XX:TieredStopAtLevel=1',
};
const pm2 = (...args) => execFileSync(pm2Bin, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

let sim;
after(() => {
  try { pm2('kill'); } catch { /* already gone */ }
  stop(sim);
});

function chat(port, clientId, text) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?clientId=${clientId}`);
    const timer = setTimeout(() => reject(new Error(`no reply from ${port}`)), 20000);
    ws.on('open', () => ws.send(text));
    ws.on('message', (d) => { clearTimeout(timer); ws.close(); resolve(JSON.parse(d.toString())); });
    ws.on('error', reject);
  });
}

test('pm2 runs five replicas that come online, answer and stop', { timeout: 180000 }, async () => {
  sim = await startSimulator('pm2-sim', 11951);
  pm2('start', path.join(root, 'pm2/ecosystem.config.cjs'));
  const list = () => JSON.parse(pm2('jlist'));
  assert.equal(list().length, 5);
  for (let i = 0; i < 5; i++) {
    await waitFor(`http://127.0.0.1:${BASE + i}/q/health/ready`, 120);
  }
  const apps = list();
  assert.deepEqual(apps.map((a) => a.name).sort(), [0, 1, 2, 3, 4].map((i) => `switchboard-${BASE + i}`));
  assert.ok(apps.every((a) => a.pm2_env.status === 'online'), JSON.stringify(apps.map((a) => a.pm2_env.status)));
  for (let i = 0; i < 5; i++) {
    const reply = await chat(BASE + i, `pm2-${i}`, 'which port?');
    assert.equal(reply.type, 'reply');
    assert.equal(reply.replica, String(BASE + i));
    assert.match(reply.data, new RegExp(`port ${BASE + i}`));
  }
  // the replicas listen on loopback only, and the keys were made once, for the owner's eyes only
  const gatewayKey = fs.readFileSync(path.join(env.SB_VAR, 'gateway.key'), 'utf8').trim();
  assert.equal(gatewayKey.length, 64);
  assert.equal(fs.statSync(path.join(env.SB_VAR, 'gateway.key')).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.join(env.SB_VAR, 'auth.key')).mode & 0o777, 0o600);
  const models = await fetch(`http://127.0.0.1:${BASE}/v1/models`, { headers: { Authorization: `Bearer ${gatewayKey}` } });
  assert.equal(models.status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${BASE}/v1/models`)).status, 401);
  const listening = fs.readFileSync('/proc/net/tcp6', 'utf8') + fs.readFileSync('/proc/net/tcp', 'utf8');
  const port = BASE.toString(16).toUpperCase().padStart(4, '0');
  const binds = listening.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === '0A' && f[1].endsWith(`:${port}`)).map((f) => f[1].split(':')[0]);
  assert.ok(binds.length > 0 && binds.every((a) => a === '0100007F' || a === '0000000000000000FFFF00000100007F'), `replica ${BASE} listens on ${binds}`);
  pm2('stop', 'all');
  assert.ok(list().every((a) => a.pm2_env.status === 'stopped'));
  pm2('delete', 'all');
  assert.equal(list().length, 0);
});

test('the Telegram bridge is a PM2 app only when TELEGRAM_BOT_TOKEN is set', () => {
  const names = (extra) => JSON.parse(execFileSync(process.execPath, ['-e',
    "console.log(JSON.stringify(require('./pm2/ecosystem.config.cjs').apps.map((a) => a.name)))"],
  { cwd: root, env: { ...process.env, TELEGRAM_BOT_TOKEN: '', ...extra } }).toString());
  assert.equal(names({}).includes('switchboard-telegram'), false);
  const withToken = names({ TELEGRAM_BOT_TOKEN: '123:abc' });
  assert.equal(withToken.at(-1), 'switchboard-telegram');
  assert.equal(withToken.length, 6);
});
