// A real PostgreSQL server (Debian's) in a temporary directory, for tests and benches: started as the
// `postgres` user when running as root (the server refuses root), trust authentication on 127.0.0.1
// except role `secret`, which must give its password. .ci/run installs the server where it is missing.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where Debian's PostgreSQL server programs are, if installed. */
export function pgBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin/initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(root, v, 'bin') : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRealPostgres() {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql: .ci/run installs them (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'tokentune-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const as = (cmd, args) => (asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(join(bin, cmd), args, { stdio: 'pipe' }));
  const data = join(dir, 'data');
  as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhost all secret 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n');
  const port = await freePort();
  const ctl = (...args) => as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), ...args]);
  ctl('-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`, 'start');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const client = async () => {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {});
    await c.connect();
    return c;
  };
  const setup = await client();
  await setup.query("CREATE ROLE secret LOGIN PASSWORD 'right-one'");
  await setup.end();
  let running = true;
  const halt = async (mode) => {
    if (!running) return;
    running = false;
    ctl('-w', '-m', mode, 'stop');
  };
  return {
    url,
    port,
    client,
    kill: () => halt('immediate'),
    stop: async () => {
      await halt('fast');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
