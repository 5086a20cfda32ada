// Starts a real wmory for the app's tests: fresh data dir, port chosen by the
// system, console mailer whose messages the tests read links from.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const defaultBin = process.env.WMORY_BIN || path.join(root, 'bin', 'wmory');

/** @returns {Promise<{url: string, output: () => string, mailedLink: (to: string, kind: string) => Promise<string>, stop: () => Promise<void>}>} */
function startWmory({ bin = defaultBin, env: extra = {} } = {}) {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run make build (make app first for the web app)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wmory-app-test-'));
  const env = { ...process.env, WMORY_ADDR: '127.0.0.1:0', WMORY_DATA_DIR: path.join(dir, 'data'), ...extra };
  for (const k of ['DATABASE_URL', 'DB_HOST', 'SMTP_URL', 'AWS_BUCKET_NAME', 'WMORY_BASE_URL']) if (!(k in extra)) delete env[k];
  let output = '';
  const proc = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(fs.rmSync(dir, { recursive: true, force: true }));
      proc.once('exit', () => resolve(fs.rmSync(dir, { recursive: true, force: true })));
      proc.kill('SIGTERM');
    });
  async function mailedLink(to, kind) {
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
      const mails = output.split('----- e-mail (console mailer) -----').filter((m) => m.includes(`To: ${to}`));
      for (const m of mails.reverse()) {
        const link = m.match(new RegExp(`https?://\\S+/${kind}\\?token=[A-Za-z0-9_-]+`));
        if (link) return link[0];
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${kind} e-mail to ${to}`);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wmory did not start:\n${output}`)), 30000);
    let started = false;
    const onData = (chunk) => {
      output += chunk.toString();
      const m = !started && output.match(/"msg":"listening","addr":"[^"]+","base_url":"([^"]+)"/);
      if (m) {
        started = true;
        clearTimeout(timer);
        // Runs another wmory command (admin, …) on the same data.
        const cli = (...args) => execFileSync(bin, args, { env, encoding: 'utf8' });
        resolve({ url: m[1].replace(/\/$/, ''), output: () => output, mailedLink, stop, cli });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => !started && reject(new Error(`wmory exited with ${code}:\n${output}`)));
  });
}

/** A free TCP port on the loopback interface. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts versitygw (installed by `make deps`) with one bucket, allowing browsers from corsOrigin. */
async function startVersityGW({ bucket, corsOrigin }) {
  const gopathBin = path.join(process.env.GOPATH || path.join(os.homedir(), 'go'), 'bin', 'versitygw');
  const which = (process.env.PATH || '').split(path.delimiter).map((d) => path.join(d, 'versitygw')).find((f) => fs.existsSync(f));
  const bin = which || gopathBin;
  if (!fs.existsSync(bin)) throw new Error('versitygw is not installed: run make deps');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wmory-app-s3-'));
  fs.mkdirSync(path.join(dir, bucket)); // the posix backend's buckets are its folders
  const port = await freePort();
  const access = 'wmoryapptest';
  const secret = 'wmoryapptestsecret1234';
  let output = '';
  const proc = spawn(bin, ['--access', access, '--secret', secret, '--port', `127.0.0.1:${port}`, '--cors-allow-origin', corsOrigin, 'posix', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (c) => (output += c));
  proc.stderr.on('data', (c) => (output += c));
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => resolve(sock.end() && true));
      sock.on('error', () => resolve(false));
    });
    if (up) break;
    if (i > 150) throw new Error(`versitygw did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise((resolve) => {
      proc.once('exit', () => resolve(fs.rmSync(dir, { recursive: true, force: true })));
      proc.kill('SIGTERM');
    });
  return { endpoint: `http://127.0.0.1:${port}`, access, secret, output: () => output, stop };
}

module.exports = { startWmory, startVersityGW, freePort, root };
