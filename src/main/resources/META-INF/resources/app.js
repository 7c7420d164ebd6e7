// The chat page: draws the conversation, streams answers, shows handoffs, errors and the socket's
// state. The socket and the exactly-once resend live in connection.js; Markdown in markdown.js.
import { ChatConnection, newClientId, newMessageId } from './connection.js';
import { renderMarkdown } from './markdown.js';

const $ = (id) => document.getElementById(id);
const log = $('log');
const input = $('message');
const stopButton = $('stop');
const statusLine = $('status');

// What the user can do about each error code of docs/PROTOCOL.md.
const ADVICE = {
  busy: 'Another answer of this chat was still running. Try again.',
  overloaded: 'The assistants are all busy right now. Try again in a moment.',
  backend_unavailable: 'No model could answer. Try again in a moment.',
  backend_interrupted: 'The answer broke off and was not saved. Try again.',
  store_unavailable: 'The chat store is unreachable; nothing was saved. Try again shortly.',
  rate_limited: 'You are sending too fast. Wait a few seconds, then try again.',
  bad_output: 'The model gave an unusable answer. Rephrase and try again.',
  agent_loop: 'The assistant went round in circles. Rephrase and try again.',
  bad_request: 'The model refused this request. Rephrase it.',
  too_large: 'The message is too long. Shorten it.',
  budget_exceeded: 'This chat has used its token budget for now.',
};

const budgetLine = $('budget');

/** "in 42 s", "in 12 min", "in 3 h 5 min": how long until a budget's window ends. */
function inWords(seconds) {
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const h = Math.floor(minutes / 60);
  return minutes % 60 ? `in ${h} h ${minutes % 60} min` : `in ${h} h`;
}

/** What is left of the tightest budget after a turn, when a budget applies. */
function showBudget(left, resetIn) {
  budgetLine.hidden = false;
  budgetLine.textContent = left > 0 ? `${left.toLocaleString()} tokens left · resets ${inWords(resetIn)}`
    : `Token budget used up · resets ${inWords(resetIn)}`;
}

const CLIENT_KEY = 'sb.clientId';
let clientId = localStorage.getItem(CLIENT_KEY) || newClientId();
localStorage.setItem(CLIENT_KEY, clientId);
const running = new Set(); // ids of turns sent and not yet ended
const replicas = new Map(JSON.parse(localStorage.getItem('sb.replicas') || '[]')); // id -> replica, for redrawn history
let connection = openConnection();

function openConnection() {
  return new ChatConnection(clientId, {
    status: setStatus,
    history: drawHistory,
    frame: onFrame,
    disconnected: () => { running.clear(); updateStop(); },
  }).start();
}

function setStatus(state, text) {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
}

// ---- drawing -------------------------------------------------------------------------------

function scrollToEnd() {
  const main = log.parentElement;
  if (main.scrollHeight - main.scrollTop - main.clientHeight < 160) main.scrollTop = main.scrollHeight;
}

function clearEmpty() {
  log.querySelector('.empty')?.remove();
}

function userBubble(id, text) {
  clearEmpty();
  const el = document.createElement('div');
  el.className = 'msg user';
  if (id) el.dataset.id = id;
  el.textContent = text;
  log.append(el);
  return el;
}

function assistantBubble(id, { agent = '', replica = '', text = null } = {}) {
  clearEmpty();
  const el = document.createElement('article');
  el.className = 'msg assistant';
  if (id) el.dataset.id = id;
  const meta = el.appendChild(document.createElement('span'));
  meta.className = 'meta';
  el.appendChild(document.createElement('div')).className = 'body';
  setMeta(el, agent, replica);
  if (text === null) {
    el.setAttribute('aria-busy', 'true');
  } else {
    el.querySelector('.body').append(renderMarkdown(text));
  }
  log.append(el);
  return el;
}

function setMeta(el, agent, replica) {
  const meta = el.querySelector('.meta');
  meta.textContent = [agent, replica && `replica ${replica}`].filter(Boolean).join(' · ');
  if (agent) el.dataset.agent = agent;
  if (replica) el.dataset.replica = replica;
}

function notice(text, before = null) {
  clearEmpty();
  const el = document.createElement('p');
  el.className = 'notice';
  el.textContent = text;
  log.insertBefore(el, before);
  return el;
}

function pendingBubble(id) {
  return log.querySelector(`.msg.assistant[data-id="${CSS.escape(id)}"]`) || assistantBubble(id);
}

function drawHistory(messages, unanswered) {
  log.replaceChildren();
  for (const m of messages) {
    if (m.role === 'user') {
      userBubble(m.id, m.content);
    } else if (m.role === 'assistant') {
      const handoff = /^\[calls (.+)\]$/.exec(m.content || '');
      const targets = handoff ? handoff[1].split(', ').filter((t) => t.startsWith('transfer_to_')) : [];
      if (targets.length) {
        notice(`${m.agent} handed the conversation to ${targets[0].slice('transfer_to_'.length)}`);
      } else if (!handoff) {
        assistantBubble(m.id, { agent: m.agent, replica: replicas.get(m.id) || '', text: m.content });
      }
    }
  }
  for (const [id, text] of unanswered) {
    userBubble(id, text);
    assistantBubble(id);
    running.add(id);
  }
  if (!log.children.length) {
    const p = log.appendChild(document.createElement('p'));
    p.className = 'empty';
    p.textContent = 'Say hello. Your conversation is kept on the server, so it survives a reload.';
  }
  updateStop();
  log.parentElement.scrollTop = log.parentElement.scrollHeight;
}

// ---- frames --------------------------------------------------------------------------------

function onFrame(f) {
  switch (f.type) {
    case 'token': {
      const el = pendingBubble(f.id);
      el.classList.add('streaming');
      el.querySelector('.body').append(f.data); // plain text while it streams; Markdown at the end
      scrollToEnd();
      break;
    }
    case 'agent': {
      const el = pendingBubble(f.id);
      notice(`${f.from} handed the conversation to ${f.to}`, el);
      setMeta(el, f.to, '');
      break;
    }
    case 'reply': {
      const el = pendingBubble(f.id);
      el.classList.remove('streaming');
      el.removeAttribute('aria-busy');
      el.querySelector('.body').replaceChildren(renderMarkdown(f.data));
      setMeta(el, f.agentName, f.replica);
      if (f.budget) showBudget(f.budget.left, f.budget.resetIn);
      remember(f.id, f.replica);
      settle(f.id);
      scrollToEnd();
      break;
    }
    case 'cancelled': {
      log.querySelector(`.msg.assistant[data-id="${CSS.escape(f.id)}"]`)?.remove();
      markUser(f.id, 'Stopped; not saved');
      settle(f.id);
      break;
    }
    case 'error':
      showError(f);
      break;
    default:
      break;
  }
}

function showError(f) {
  // rate_limited is answered before the frame is read, so it carries no id: it is the newest message's
  const id = f.id || (f.code === 'rate_limited' ? [...running].pop() : null);
  const problem = document.createElement('div');
  problem.className = 'problem';
  problem.setAttribute('role', 'alert');
  problem.textContent = f.code === 'budget_exceeded'
    ? `${ADVICE.budget_exceeded} It resets ${inWords(f.retryAfter)}; nothing was saved.`
    : `${f.message} ${ADVICE[f.code] || ''}`.trim();
  if (f.code === 'budget_exceeded') showBudget(0, f.retryAfter);
  const bubble = id && log.querySelector(`.msg.assistant[data-id="${CSS.escape(id)}"]`);
  const text = id ? connection.unanswered.get(id) : undefined;
  if (text !== undefined) {
    // nothing of a failed turn is stored, so the same id may run again
    const retry = problem.appendChild(document.createElement('button'));
    retry.type = 'button';
    retry.textContent = 'Retry';
    retry.addEventListener('click', () => {
      problem.remove();
      markUser(id, '');
      assistantBubble(id);
      running.add(id);
      updateStop();
      connection.send(id, text);
    });
  }
  if (bubble) bubble.replaceWith(problem); else log.append(problem);
  if (id) settle(id); // a failed turn is not resent by itself: the user decides (Retry)
  scrollToEnd();
}

function markUser(id, text) {
  const user = log.querySelector(`.msg.user[data-id="${CSS.escape(id)}"]`);
  if (!user) return;
  user.querySelector('.note')?.remove();
  if (text) user.appendChild(document.createElement('span')).className = 'note';
  if (text) user.querySelector('.note').textContent = text;
}

function settle(id) {
  running.delete(id);
  connection.settled(id);
  updateStop();
}

function remember(id, replica) {
  if (!id || !replica) return;
  replicas.set(id, replica);
  while (replicas.size > 300) replicas.delete(replicas.keys().next().value);
  localStorage.setItem('sb.replicas', JSON.stringify([...replicas]));
}

function updateStop() {
  stopButton.hidden = running.size === 0;
}

// ---- input ---------------------------------------------------------------------------------

function submit() {
  const text = input.value.trim();
  if (!text) return;
  const id = newMessageId();
  input.value = '';
  autoGrow();
  userBubble(id, text);
  assistantBubble(id);
  running.add(id);
  updateStop();
  connection.send(id, text);
  log.parentElement.scrollTop = log.parentElement.scrollHeight;
}

function autoGrow() {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 192)}px`;
}

$('composer').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    submit();
  }
});
input.addEventListener('input', autoGrow);
stopButton.addEventListener('click', () => {
  for (const id of running) connection.cancel(id);
  input.focus();
});
$('new-chat').addEventListener('click', () => {
  connection.close();
  running.clear();
  updateStop();
  clientId = newClientId();
  localStorage.setItem(CLIENT_KEY, clientId);
  log.replaceChildren();
  connection = openConnection();
  input.focus();
});

// Theme: auto (the system's), light or dark; kept across visits.
const themeButton = $('theme');
const THEMES = ['auto', 'light', 'dark'];
function applyTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  themeButton.textContent = `Theme: ${theme}`;
  localStorage.setItem('sb.theme', theme);
}
applyTheme(localStorage.getItem('sb.theme') || 'auto');
themeButton.addEventListener('click', () => {
  const current = localStorage.getItem('sb.theme') || 'auto';
  applyTheme(THEMES[(THEMES.indexOf(current) + 1) % THEMES.length]);
});
input.focus();
