// Five Switchboard replicas under PM2, as the seed demo runs its Bun replicas.
//   npx pm2 start pm2/ecosystem.config.cjs     (Redis, the backends and nginx are yours to run;
//   npx pm2 ls / logs / stop all               bin/up runs the whole stack without PM2)
// Environment: SB_REPLICAS (5), SB_REPLICA_BASE (8081), REDIS_URL, SWITCHBOARD_SWARM_FILE,
// SB_JAVA_OPTS, JAVA_HOME (when a JDK >= 21; else the newest JDK >= 21 under /usr/lib/jvm), SB_AUTH_KEYS (signs the
// Telegram bridge's sessions), SB_GATEWAY_API_KEYS (opens /v1), SB_REPLICA_HOST (127.0.0.1: only a
// proxy on this machine reaches the replicas). A REDIS_URL with a password carries it
// (redis://:PASSWORD@host:port). With TELEGRAM_BOT_TOKEN set, the Telegram bridge (bin/telegram) is
// one more app, switchboard-telegram; without it there is none.
// Keys not given are made once, as bin/up makes them: $SB_VAR/auth.key and $SB_VAR/gateway.key,
// readable by their owner only, shared by every app of this file and by bin/telegram.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const root = path.resolve(__dirname, '..');

// JAVA_HOME when it is a JDK >= 21, else the newest JDK >= 21, as bin/lib.sh picks it.
function findJdk() {
  const given = process.env.JAVA_HOME;
  if (given && fs.existsSync(path.join(given, 'bin', 'java'))) {
    const major = Number((/JAVA_VERSION="(\d+)/.exec(readFile(path.join(given, 'release'))) || [])[1] || 0);
    if (major >= 21) return { java: path.join(given, 'bin', 'java'), major };
  }
  const homes = listDir('/usr/lib/jvm').map((d) => path.join('/usr/lib/jvm', d));
  let best = null;
  let bestMajor = 0;
  for (const home of homes) {
    const java = path.join(home, 'bin', 'java');
    if (!fs.existsSync(java)) continue;
    const release = readFile(path.join(home, 'release'));
    const major = Number((/JAVA_VERSION="(\d+)/.exec(release) || [])[1] || 0);
    if (major >= 21 && major > bestMajor) {
      best = java;
      bestMajor = major;
    }
  }
  return { java: best || 'java', major: bestMajor };
}

function listDir(dir) {
  try { return fs.readdirSync(dir); } catch { return []; }
}

function readFile(file) {
  try { return fs.readFileSync(file, 'utf8'); } catch { return ''; }
}

const varDir = process.env.SB_VAR || path.join(root, 'var');

// A secret made once under var/ (64 hex characters, mode 0600), like bin/lib.sh stack_secret.
function stackSecret(name) {
  const file = path.join(varDir, name);
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  } catch { /* not made yet */ }
  fs.mkdirSync(varDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
const authKeys = process.env.SB_AUTH_KEYS || stackSecret('auth.key');
const gatewayKeys = process.env.SB_GATEWAY_API_KEYS || stackSecret('gateway.key');

const replicas = Number(process.env.SB_REPLICAS || 5);
const base = Number(process.env.SB_REPLICA_BASE || 8081);
const jdk = findJdk();
// The same defaults as bin/lib.sh (default_java_opts): five replicas on a small machine, one event loop each.
const defaultJavaOpts = '-XX:+UseSerialGC -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError -XX:ActiveProcessorCount=1 -Dquarkus.vertx.event-loops-pool-size=1 -Dmutiny.disableCallBackDecorators=true' + (jdk.major >= 25 ? ' -XX:+UseCompactObjectHeaders' : '');
// The JIT policy, as bin/lib.sh's jit_opts: C1 only when the replicas outnumber this machine's cores.
const jitPolicies = {
  quick: '-XX:TieredStopAtLevel=1 -XX:C1MaxInlineSize=70 -XX:C1InlineStackLimit=10 -XX:C1MaxInlineLevel=12',
  full: '-XX:FreqInlineSize=100 -XX:InlineSmallCode=1000',
};
let jit = process.env.SB_JIT || 'auto';
if (jit === 'auto') {
  jit = replicas > require('os').cpus().length ? 'quick' : 'full';
}
if (!(jit in jitPolicies)) {
  throw new Error(`SB_JIT is '${jit}': quick, full or auto`);
}
const javaOpts = `${process.env.SB_JAVA_OPTS || defaultJavaOpts} ${jitPolicies[jit]}`.split(/\s+/);
const logs = path.join(varDir, 'log', 'pm2');
const java = jdk.java;

const replica = (index) => {
  const port = base + index;
  return {
    name: `switchboard-${port}`,
    script: java,
    args: [...javaOpts, `-Dquarkus.http.host=${process.env.SB_REPLICA_HOST || '127.0.0.1'}`, `-Dquarkus.http.port=${port}`,
      '-jar', path.join(root, 'target/quarkus-app/quarkus-run.jar')],
    interpreter: 'none',
    exec_mode: 'fork',
    cwd: root,
    out_file: path.join(logs, `switchboard-${port}-out.log`),
    error_file: path.join(logs, `switchboard-${port}-error.log`),
    log_date_format: 'YYYY-MM-DD HH:mm:ss',
    merge_logs: true,
    autorestart: true,
    // SIGTERM first; a replica gets this long to finish its turns before SIGKILL.
    kill_timeout: 30000,
    env: {
      REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
      SWITCHBOARD_SWARM_FILE: process.env.SWITCHBOARD_SWARM_FILE || path.join(root, 'config/swarm.yaml'),
      SB_AUTH_KEYS: authKeys,
      SB_GATEWAY_API_KEYS: gatewayKeys,
    },
  };
};

const env = (name, fallback) => (process.env[name] !== undefined ? { [name]: process.env[name] } : fallback);

// The Telegram bridge: long-polls the Bot API, talks to the replicas through nginx (SB_PORT).
const telegram = {
  name: 'switchboard-telegram',
  script: path.join(root, 'bin/telegram'),
  interpreter: 'none',
  exec_mode: 'fork',
  cwd: root,
  out_file: path.join(logs, 'switchboard-telegram-out.log'),
  error_file: path.join(logs, 'switchboard-telegram-error.log'),
  merge_logs: true,
  autorestart: true,
  kill_timeout: 10000,
  env: {
    TELEGRAM_BOT_TOKEN: process.env.TELEGRAM_BOT_TOKEN || '',
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    ...env('TELEGRAM_API_URL', {}),
    ...env('SWITCHBOARD_WS_URL', {}),
    SB_AUTH_KEYS: authKeys,
    ...env('SB_VAR', {}),
  },
};

module.exports = {
  apps: [
    ...Array.from({ length: replicas }, (_, i) => replica(i)),
    ...(process.env.TELEGRAM_BOT_TOKEN ? [telegram] : []),
  ],
};
