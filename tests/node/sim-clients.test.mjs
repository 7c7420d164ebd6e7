// The simulator against the official npm clients of the APIs it imitates: openai and ollama.
// If these clients accept its answers, so will the Python/JS apps people point at Switchboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { startSimulator, stop } from './helpers.mjs';

let sim;
before(async () => { sim = await startSimulator('npm-clients', 11901); });
after(() => stop(sim));

const openai = () => new OpenAI({ baseURL: 'http://127.0.0.1:11901/v1', apiKey: 'sim' });
const ollama = () => new Ollama({ host: 'http://127.0.0.1:11901' });
const tools = [{ type: 'function', function: { name: 'transfer_to_sales', description: 'Hand off to sales', parameters: { type: 'object', properties: {} } } }];

test('openai: models.list', async () => {
  const page = await openai().models.list();
  assert.equal(page.data[0].id, 'sim');
});

test('openai: a chat completion echoes the conversation', async () => {
  const r = await openai().chat.completions.create({
    model: 'sim',
    messages: [{ role: 'system', content: 'You are sales.' }, { role: 'user', content: 'one' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'two' }],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.match(r.choices[0].message.content, /users=2 said="two" system="You are sales\."/);
  assert.ok(r.usage.total_tokens > 0);
});

test('openai: streaming delivers every token, then usage', async () => {
  const stream = await openai().chat.completions.create({
    model: 'sim', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream please' }],
  });
  let text = '';
  let chunks = 0;
  let usage = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.choices.length) text += chunk.choices[0].delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(chunks > 5);
  assert.match(text, /^\(sim npm-clients\) users=1 said="stream please"/);
  assert.ok(usage && usage.completion_tokens > 0);
});

test('openai: tool calls, plain and streamed', async () => {
  const r = await openai().chat.completions.create({ model: 'sim', tools, messages: [{ role: 'user', content: 'get me sales' }] });
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  assert.equal(r.choices[0].message.tool_calls[0].function.name, 'transfer_to_sales');
  const stream = openai().beta.chat.completions.stream({ model: 'sim', tools, messages: [{ role: 'user', content: 'get me sales' }] });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.tool_calls[0].function.name, 'transfer_to_sales');
  assert.equal(final.choices[0].message.tool_calls[0].function.arguments, '{}');
});

test('openai: an injected 500 surfaces as the client\'s APIError', async () => {
  await assert.rejects(
    openai().chat.completions.create({ model: 'sim', messages: [{ role: 'user', content: '[[sim:status=500]]' }] }, { maxRetries: 0 }),
    (e) => e instanceof OpenAI.APIError && e.status === 500,
  );
});

test('ollama: list and chat', async () => {
  const list = await ollama().list();
  assert.equal(list.models[0].name, 'sim');
  const r = await ollama().chat({ model: 'sim', messages: [{ role: 'user', content: 'hello ollama' }] });
  assert.equal(r.done, true);
  assert.match(r.message.content, /users=1 said="hello ollama"/);
});

test('ollama: streaming ends with done and carries the whole text', async () => {
  const stream = await ollama().chat({ model: 'sim', stream: true, messages: [{ role: 'user', content: 'stream it' }] });
  let text = '';
  let last;
  for await (const part of stream) {
    text += part.message.content;
    last = part;
  }
  assert.equal(last.done, true);
  assert.match(text, /said="stream it"/);
});

test('ollama: tool calls', async () => {
  const r = await ollama().chat({ model: 'sim', tools, messages: [{ role: 'user', content: 'sales now' }] });
  assert.equal(r.message.tool_calls[0].function.name, 'transfer_to_sales');
  assert.deepEqual(r.message.tool_calls[0].function.arguments, {});
});
