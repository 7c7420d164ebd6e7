// The operations page of one replica: it asks for the admin key once (kept for this tab only),
// then reads /admin/ops.json every two seconds and redraws. No inline script: the replica's
// Content-Security-Policy allows only files of its own origin.
const $ = (id) => document.getElementById(id);
const KEY = 'sb.adminKey';
let timer = null;

function cell(row, text, state) {
  const td = row.insertCell();
  td.textContent = text;
  if (state) td.dataset.state = state;
}

function ms(v) {
  return v < 0 ? '—' : `${Math.round(v)} ms`;
}

function draw(view) {
  $('replica').textContent = view.replica;
  $('sockets').textContent = view.socketsOpen;
  $('turns').textContent = view.turnsInFlight;
  $('queued').textContent = view.waitingForBackend;
  const body = $('backends');
  body.replaceChildren();
  for (const b of view.backends) {
    const row = body.insertRow();
    cell(row, b.name);
    cell(row, b.state.replace('_', '-'), b.state);
    cell(row, `${b.inflight} / ${b.maxConcurrent}`);
    cell(row, ms(b.ttftP50Ms));
    cell(row, ms(b.ttftP95Ms));
    cell(row, b.modelLoaded);
    cell(row, Object.entries(b.errors).map(([k, n]) => `${k} ${n}`).join(', ') || '0');
    cell(row, b.reason || '');
  }
  $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
}

async function refresh() {
  const key = sessionStorage.getItem(KEY);
  if (!key) return;
  try {
    const r = await fetch('ops.json', { headers: { Authorization: `Bearer ${key}` }, cache: 'no-store' });
    if (r.status === 401 || r.status === 403) {
      sessionStorage.removeItem(KEY);
      $('updated').textContent = r.status === 403 ? 'The admin API is off on this replica' : 'That key was refused';
      $('view').hidden = true;
      $('login').hidden = false;
      return;
    }
    draw(await r.json());
    $('view').hidden = false;
    $('login').hidden = true;
  } catch (e) {
    $('updated').textContent = `Cannot reach the replica (${e.message}); retrying`;
  }
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(KEY, $('key').value);
  $('key').value = '';
  refresh();
});

refresh();
timer = setInterval(refresh, 2000);
addEventListener('pagehide', () => clearInterval(timer));
