// The OpenAI-compatible gateway of a replica, driven by the official `openai` npm client, as a
// Telegram bot or any OpenAI-SDK app would use it; and the admin view of the pool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSimulator, startReplica, stop } from './helpers.mjs';
import path from 'node:path';
import { root } from './helpers.mjs';

const PORT = 19181;
const base = `http://127.0.0.1:${PORT}`;
let sims = [];
let replica;

before(async () => {
  sims = [await startSimulator('gw-ollama', 11961), await startSimulator('gw-openai', 11962)];
  replica = await startReplica(PORT, {
    SWITCHBOARD_SWARM_FILE: path.join(root, 'tests/node/swarm-gateway.yaml'),
    SB_GATEWAY_API_KEYS: 'key-old,key-new',
    SB_ADMIN_API_KEY: 'admin-secret',
  });
});

after(() => {
  stop(replica);
  sims.forEach(stop);
});

const client = (apiKey = 'key-new') => new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });

test('models are the aliases of the swarm file', async () => {
  const ids = [];
  for await (const m of client().models.list()) ids.push(m.id);
  assert.deepEqual(ids.sort(), ['chat', 'large']);
});

test('a completion, not streamed', async () => {
  const r = await client('key-old').chat.completions.create({
    model: 'chat', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello gateway' }],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.match(r.choices[0].message.content, /^\(sim gw-(ollama|openai)\) users=1 said="hello gateway" system="be brief"/);
  assert.ok(r.usage.total_tokens > 0);
});

test('a streamed completion arrives in pieces that add up', async () => {
  const stream = await client().chat.completions.create({
    model: 'chat', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'stream me please' }],
  });
  let text = '';
  let pieces = 0;
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta?.content) { text += choice.delta.content; pieces += 1; }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  assert.match(text, /^\(sim gw-(ollama|openai)\) users=1 said="stream me please"/);
  assert.ok(pieces > 3, `streamed in ${pieces} pieces`);
  assert.equal(finish, 'stop');
  assert.ok(usage, 'usage chunk at the end');
});

test('tool calls go through in the OpenAI format', async () => {
  const r = await client().chat.completions.create({
    model: 'chat',
    messages: [{ role: 'user', content: 'weather? [[sim:tool=get_weather {"city":"Paris"}]]' }],
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
  });
  const call = r.choices[0].message.tool_calls[0];
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
});

test('a stream cut mid-answer is finished by the other backend: the client reads one answer', async () => {
  const stats = async () => {
    let n = 0;
    for (const port of [11961, 11962]) n += (await (await fetch(`http://127.0.0.1:${port}/_sim/stats`)).json()).requests;
    return n;
  };
  const before = await stats();
  // the next stream of gw-ollama drops after three tokens; whichever backend a stream starts on, it ends whole
  await fetch('http://127.0.0.1:11961/_sim/fault', { method: 'POST', body: JSON.stringify({ mode: 'cut', status: 3, count: 1 }) });
  const streams = 4;
  for (let i = 0; i < streams; i++) {
    const stream = await client().chat.completions.create({
      model: 'chat', stream: true, messages: [{ role: 'user', content: `cut me ${i} [[sim:long=20]]` }],
    });
    let text = '';
    let finish = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content || '';
      finish = chunk.choices[0]?.finish_reason || finish;
    }
    assert.match(text, new RegExp(`^\\(sim gw-(ollama|openai)\\) users=1 said="cut me ${i}" system="" (word ){19}word$`));
    assert.equal(finish, 'stop');
  }
  assert.equal(await stats() - before, streams + 1, 'one stream was cut and resumed: one extra backend request');
});

test('a failing backend is failed over', async () => {
  await fetch('http://127.0.0.1:11961/_sim/fault', { method: 'POST', body: JSON.stringify({ mode: 'error', status: 500, count: 4 }) });
  for (let i = 0; i < 4; i++) {
    const r = await client().chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `turn ${i}` }] });
    assert.match(r.choices[0].message.content, /^\(sim gw-/);
  }
  await fetch('http://127.0.0.1:11961/_sim/fault', { method: 'POST', body: JSON.stringify({ mode: 'none' }) });
});

test('a wrong key, an unknown model and a bad body get OpenAI-style errors', async () => {
  await assert.rejects(client('guessed').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  await assert.rejects(client().chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.NotFoundError && /does not exist/.test(e.message));
  await assert.rejects(client().chat.completions.create({ model: 'chat', messages: [] }),
    (e) => e instanceof OpenAI.BadRequestError && /messages/.test(e.message));
  const big = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers: { Authorization: 'Bearer key-new', 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] }),
  });
  assert.equal(big.status, 413);
});

test('the admin view needs its key and shows the pool', async () => {
  assert.equal((await fetch(`${base}/admin/backends`)).status, 401);
  assert.equal((await fetch(`${base}/admin/backends`, { headers: { Authorization: 'Bearer key-new' } })).status, 401);
  const r = await fetch(`${base}/admin/backends`, { headers: { Authorization: 'Bearer admin-secret' } });
  assert.equal(r.status, 200);
  const view = await r.json();
  assert.equal(view.strategy, 'least-inflight');
  assert.deepEqual(view.backends.map((b) => b.name), ['gw-ollama', 'gw-openai']);
  for (const b of view.backends) assert.ok(['up', 'half_open', 'down'].includes(b.state));
  assert.ok(!JSON.stringify(view).includes('sim-key'), 'no secret in the view');
});

test('metrics and readiness describe the backends', async () => {
  const metrics = await (await fetch(`${base}/q/metrics`)).text();
  assert.match(metrics, /switchboard_backend_requests_total\{backend="gw-openai",outcome="ok"\} [1-9]/);
  assert.match(metrics, /switchboard_backend_ttft_seconds_bucket\{backend="gw-ollama"/);
  assert.match(metrics, /switchboard_backend_errors_total\{backend="gw-ollama",kind="server"\} [1-9]/);
  assert.match(metrics, /switchboard_backend_health\{backend="gw-ollama"\} /);
  const ready = await (await fetch(`${base}/q/health/ready`)).json();
  const backends = ready.checks.find((c) => c.name === 'backends');
  assert.equal(backends.status, 'UP');
  assert.equal(backends.data['alias chat'], 'served');
});

test('without keys the gateway refuses everyone, unless SB_GATEWAY_ALLOW_OPEN opens it on purpose', async () => {
  const closed = await startReplica(19183, { SWITCHBOARD_SWARM_FILE: path.join(root, 'tests/node/swarm-gateway.yaml') });
  try {
    for (const headers of [{}, { Authorization: 'Bearer anything' }]) {
      const r = await fetch('http://127.0.0.1:19183/v1/models', { headers });
      assert.equal(r.status, 401);
      assert.match((await r.json()).error.message, /a valid API key is required/);
    }
  } finally {
    const exited = new Promise((resolve) => closed.once('exit', resolve));
    stop(closed);
    await exited; // its port is free again
  }
  const open = await startReplica(19183, { SWITCHBOARD_SWARM_FILE: path.join(root, 'tests/node/swarm-gateway.yaml'),
    SB_GATEWAY_ALLOW_OPEN: 'true' });
  try {
    assert.equal((await fetch('http://127.0.0.1:19183/v1/models')).status, 200);
  } finally {
    stop(open);
  }
});

test('a key over its tokens per minute gets 429 with Retry-After; another key goes on', async () => {
  // keys of their own, so counts left in Redis by an earlier run do not matter
  const spender = `key-spender-${Date.now()}`;
  const other = `key-other-${Date.now()}`;
  const limited = await startReplica(19184, { SWITCHBOARD_SWARM_FILE: path.join(root, 'tests/node/swarm-gateway.yaml'),
    SB_GATEWAY_API_KEYS: `${spender},${other}`, SB_GATEWAY_TOKENS_PER_MINUTE: '40', SB_ADMIN_API_KEY: 'admin-secret' });
  const ask = (key) => fetch('http://127.0.0.1:19184/v1/chat/completions', {
    method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'spend some tokens for me please' }] }),
  });
  try {
    let refused = null;
    let spent = 0;
    for (let i = 0; i < 12 && !refused; i++) {
      const r = await ask(spender);
      if (r.status === 429) refused = r;
      else {
        assert.equal(r.status, 200);
        spent += (await r.json()).usage.total_tokens;
      }
    }
    assert.ok(refused, `refused once the key spent ${spent} of its 40 tokens a minute`);
    assert.ok(spent >= 40, `admitted while tokens were left: ${spent}`);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const body = await refused.json();
    assert.equal(body.error.code, 'rate_limit_exceeded');
    await assert.rejects(new OpenAI({ baseURL: 'http://127.0.0.1:19184/v1', apiKey: spender, maxRetries: 0 })
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.RateLimitError && e.status === 429);
    assert.equal((await ask(other)).status, 200, 'another key has its own allowance');

    const view = await (await fetch('http://127.0.0.1:19184/admin/budgets',
      { headers: { Authorization: 'Bearer admin-secret' } })).json();
    assert.equal(view.keys.length, 2);
    assert.ok(!JSON.stringify(view).includes(spender), 'keys are shown by id, never themselves');
    const spentByKey = view.keys.map((k) => k.minute.spent).sort((a, b) => a - b);
    assert.ok(spentByKey[1] >= 40 && spentByKey[0] > 0, JSON.stringify(view));
  } finally {
    stop(limited);
  }
});
