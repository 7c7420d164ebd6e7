// The page's socket to /chat: reconnects with backoff and resends what was not answered.
// Exactly once: every message has an id, kept (with its text) in localStorage until its turn ends
// with reply, cancelled or error. After each (re)connect the page first reads the history; messages
// the history already answers are dropped, the others are sent again with the same id. The tier
// answers an id it has answered before with the stored reply ("replayed"), never a second turn.

const MAX_BACKOFF_MS = 10_000;

export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // 128 bits: a clientId is not guessable
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function newMessageId() {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return 'w-' + Date.now().toString(36) + '-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChatConnection {
  /**
   * @param {string} clientId the session
   * @param {object} on callbacks: status(state, text), history(messages, unanswered), frame(frame)
   */
  constructor(clientId, on, { url = defaultUrl(clientId), historyLimit = 200, storage = localStorage } = {}) {
    this.clientId = clientId;
    this.on = on;
    this.url = url;
    this.historyLimit = historyLimit;
    this.storage = storage;
    this.storageKey = `sb.unanswered.${clientId}`;
    this.unanswered = new Map(JSON.parse(storage.getItem(this.storageKey) || '[]'));
    this.ws = null;
    this.ready = false; // open and the history of this connection has been drawn
    this.attempt = 0;
    this.timer = null;
    this.closed = false;
  }

  start() {
    this.connect();
    return this;
  }

  /** Stops for good (New chat). */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, 'new chat');
  }

  /** Queues a message; it goes out now when connected, else after the next reconnect. */
  send(id, text) {
    this.unanswered.set(id, text);
    this.save();
    if (this.ready) this.transmit(id, text);
  }

  cancel(id) {
    if (this.ready) this.ws.send(JSON.stringify({ type: 'cancel', id }));
  }

  /** The turn of `id` has ended (reply, cancelled, error): it is never resent. */
  settled(id) {
    if (this.unanswered.delete(id)) this.save();
  }

  connect() {
    this.on.status('connecting', this.attempt ? `Reconnecting (attempt ${this.attempt + 1})…` : 'Connecting…');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.on.status('waiting', 'Connected; loading the conversation…');
      ws.send(JSON.stringify({ type: 'history', limit: this.historyLimit }));
    };
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // the tier sends JSON only
      }
      if (frame.type === 'history' && !this.ready) {
        this.afterHistory(frame.messages || []);
        return;
      }
      if (frame.type === 'error' && !frame.id && frame.code === 'store_unavailable' && !this.ready) {
        // the history could not be read: keep the socket, ask again shortly
        this.on.status('waiting', 'The chat store is unavailable; retrying…');
        this.timer = setTimeout(() => ws.readyState === WebSocket.OPEN
          && ws.send(JSON.stringify({ type: 'history', limit: this.historyLimit })), 2000);
        return;
      }
      this.on.frame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ready = false;
      if (this.closed) return;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt += 1;
      const why = event.reason ? ` (${event.reason})` : '';
      this.on.status('closed', `Disconnected${why}; reconnecting in ${Math.ceil(delay / 1000)} s…`);
      this.on.disconnected?.();
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  afterHistory(messages) {
    const answered = new Set(messages.filter((m) => m.role === 'assistant' && m.id).map((m) => m.id));
    for (const id of [...this.unanswered.keys()]) {
      if (answered.has(id)) this.unanswered.delete(id);
    }
    this.save();
    this.ready = true;
    this.on.history(messages, new Map(this.unanswered));
    this.on.status('open', 'Connected');
    for (const [id, text] of this.unanswered) this.transmit(id, text);
  }

  transmit(id, text) {
    this.ws.send(JSON.stringify({ type: 'message', id, data: text, stream: true }));
  }

  save() {
    this.storage.setItem(this.storageKey, JSON.stringify([...this.unanswered]));
  }
}

function defaultUrl(clientId) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(location.hash.slice(1)).get('token'); // for sb.auth.required
  return `${scheme}//${location.host}/chat?clientId=${encodeURIComponent(clientId)}`
    + (token ? `&token=${encodeURIComponent(token)}` : '');
}
