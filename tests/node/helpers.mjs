// Shared by the node tests: start and stop the project's own processes by pid.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function javaBin() {
  return path.join(execFileSync('bash', ['-c', `source "${root}/bin/lib.sh" && find_java_home`]).toString().trim(), 'bin', 'java');
}

export async function waitFor(url, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return r;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

export async function startSimulator(name, port, extra = []) {
  const cp = `${root}/target/quarkus-app/app/*:${root}/target/quarkus-app/lib/main/*`;
  const child = spawn(javaBin(), ['-cp', cp, 'dev.switchboard.sim.SimulatorMain', '--name', name, '--port', String(port), '--token-delay', '1ms', ...extra],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(`http://127.0.0.1:${port}/`);
  return child;
}

export function stop(child) {
  if (child && child.exitCode === null) child.kill('SIGTERM');
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(root, 'target', prefix));
}

// One replica from the built jar, on its own port, with the given environment.
export async function startReplica(port, env) {
  const child = spawn(javaBin(), ['-XX:+UseSerialGC', '-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dquarkus.http.port=${port}`,
    '-jar', path.join(root, 'target/quarkus-app/quarkus-run.jar')],
    { env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${process.env.SB_TEST_REDIS_PORT || 16379}`, ...env },
      stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
  await waitFor(`http://127.0.0.1:${port}/q/health/ready`, 90);
  return child;
}
