#!/usr/bin/env node
// Autopack's database (`npm run bench`): a full read of about 1,000,000 phases (with their outcome
// events and about 3 million LLM calls) from SQLite and from Postgres, each a whole `tune check --json`
// process from a fresh state, timed from outside with its peak RSS (GNU time); then 1% more runs and
// an incremental `tune check`. Postgres is a real server (Debian's) in a temporary directory, reached
// by the CLI through the `pg` client: the server sums the calls and picks each phase's models.
//
//   node bench/autopack.mjs [--runs 154000]   (about 6.5 phases a run)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyToPostgres } from '../scripts/autopack-pg.mjs';
import { startRealPostgres } from '../scripts/pg-server.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '154000' } } });
const RUNS = Number(values.runs);
const corpus = join(OUT, `autopack-${RUNS}`);
const generate = (dir, ...args) => {
  const g = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-autopack.mjs'), '--out', dir, '--seed', '11', '--days', '110', '--every-minutes', '1', ...args], { stdio: 'inherit' });
  if (g.status !== 0) throw new Error('generation failed');
};
if (!existsSync(join(corpus, 'truth.json'))) {
  rmSync(corpus, { recursive: true, force: true });
  generate(corpus, '--runs', String(RUNS));
}

/** A whole `tune check --json` under GNU time: wall seconds, peak RSS in MB, its JSON. */
function check(config, state) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin/tune'), 'check', '--json', '--config', config], {
    env: { ...process.env, XDG_STATE_HOME: state, ANTHROPIC_API_KEY: '' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`tune check exited ${r.status}: ${r.stderr}`);
  return { s, mb: Number(r.stderr.trim().split('\n').at(-1)) / 1024, out: JSON.parse(r.stdout) };
}

// A working copy, so that the 1% appended does not change the corpus.
const work = join(OUT, 'autopack-run');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const f of ['autopack.db', 'generator.json', 'truth.json']) copyFileSync(join(corpus, f), join(work, f));
const sqliteConfig = join(work, 'sqlite.yaml');
writeFileSync(sqliteConfig, `sources: [{format: autopack-db, url: 'sqlite:///autopack.db'}]\n`);

const result = { benchmark: 'Autopack database: full read of its finished runs, then 1% more', node: process.version, runs: RUNS };
const full = check(sqliteConfig, join(work, 'state-sqlite'));
result.sqlite = { records: full.out.records, seconds: +full.s.toFixed(2), records_per_s: Math.round(full.out.records / full.s), peak_rss_mb: Math.round(full.mb) };

// Postgres: a real server (Debian's), filled from the corpus; it sums, the CLI reads what it gives.
const server = await startRealPostgres();
const url = server.url;
const mirror = async (path, o) => {
  const c = await server.client();
  try {
    await copyToPostgres(path, c, o);
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
};
try {
  const filling = Date.now();
  await mirror(join(corpus, 'autopack.db'));
  result.postgres_fill_s = Math.round((Date.now() - filling) / 1000);
  const pgConfig = join(work, 'pg.yaml');
  writeFileSync(pgConfig, `sources: [{format: autopack-db, url: '${url}'}]\n`);
  const pgFull = check(pgConfig, join(work, 'state-pg'));
  result.postgres = { records: pgFull.out.records, seconds: +pgFull.s.toFixed(2), records_per_s: Math.round(pgFull.out.records / pgFull.s), peak_rss_mb: Math.round(pgFull.mb) };

  // 1% more runs, finished: read incrementally by both.
  generate(work, '--advance', '--runs', String(Math.round(RUNS / 100)));
  const inc = check(sqliteConfig, join(work, 'state-sqlite'));
  result.sqlite.after_1pct = { records: inc.out.records, seconds: +inc.s.toFixed(2), peak_rss_mb: Math.round(inc.mb) };
  await mirror(join(work, 'autopack.db'), { onlyNew: true });
  const pgInc = check(pgConfig, join(work, 'state-pg'));
  result.postgres.after_1pct = { records: pgInc.out.records, seconds: +pgInc.s.toFixed(2), peak_rss_mb: Math.round(pgInc.mb) };
} finally {
  await server.stop();
}
writeFileSync(join(OUT, 'autopack.json'), JSON.stringify(result, null, 2));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
