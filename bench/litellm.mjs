#!/usr/bin/env node
// LiteLLM at scale (`npm run bench`): a real PostgreSQL server (Debian's, in a temporary directory)
// holds --small (1M) and then --large (10M) spend-log rows over 30 days, and the daily rollups LiteLLM
// keeps of them. For each size: `tune report daily --json` on the litellm source from a fresh state
// (the server sums; whole process, wall time and peak RSS by GNU time), beside pulling the rows
// themselves through a cursor (what a row-by-row reader costs). Shows whether tokentune stays flat.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { LITELLM_DDL } from '../scripts/generate-litellm.mjs';
import { startRealPostgres } from '../scripts/pg-server.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { small: { type: 'string', default: '1000000' }, large: { type: 'string', default: '10000000' } } });

const server = await startRealPostgres();
const url = server.url;
const client = new pg.Client({ connectionString: url });
await client.connect();

/** `rows` spend-log rows over 30 days, and the daily rollups LiteLLM's own job keeps of them. */
async function fill(rows) {
  await client.query(`DROP TABLE IF EXISTS "LiteLLM_SpendLogs", "LiteLLM_DailyUserSpend", "LiteLLM_DailyTagSpend"`);
  await client.query(LITELLM_DDL);
  await client.query(`CREATE TABLE "LiteLLM_SpendLogs" (request_id TEXT PRIMARY KEY, "startTime" TIMESTAMP(3) NOT NULL, model TEXT NOT NULL, "user" TEXT, tag TEXT,
    prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, cache_read INTEGER NOT NULL, spend DOUBLE PRECISION NOT NULL)`);
  await client.query(`INSERT INTO "LiteLLM_SpendLogs" SELECT 'r' || i, timestamp '2026-11-01' + (i * (2592000.0 / ${rows})) * interval '1 second',
    (ARRAY['claude-sonnet-5-5','claude-haiku-4-5','gpt-5'])[1 + i % 3], 'u' || (i % 20), 'category:' || (ARRAY['backend','docs','tests','ops'])[1 + (i / 7) % 4],
    1000 + i % 5000, 100 + i % 900, i % 3000, (i % 1000) / 100000.0 FROM generate_series(1, ${rows}) AS i`);
  await client.query(`CREATE INDEX ON "LiteLLM_SpendLogs" ("startTime")`);
  for (const [table, key, expr] of [
    ['LiteLLM_DailyUserSpend', 'user_id', '"user"'],
    ['LiteLLM_DailyTagSpend', 'tag', 'tag'],
  ])
    await client.query(`INSERT INTO "${table}" (id, ${key}, date, api_key, model, prompt_tokens, completion_tokens, cache_read_input_tokens, spend, api_requests, successful_requests)
      SELECT md5(${expr} || d || model), ${expr}, d, 'k', model, sum(prompt_tokens), sum(completion_tokens), sum(cache_read), sum(spend), count(*), count(*)
      FROM (SELECT *, to_char("startTime", 'YYYY-MM-DD') AS d FROM "LiteLLM_SpendLogs") s GROUP BY ${expr}, d, model`);
  await client.query('VACUUM ANALYZE');
}

function tuneRead() {
  const state = join(OUT, 'litellm-state');
  rmSync(state, { recursive: true, force: true });
  const config = join(OUT, 'litellm.bench.yaml');
  writeFileSync(config, `sources: [{format: litellm, url: '${url}'}]\n`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin/tune'), 'report', 'daily', '--json', '--timezone', 'UTC', '--config', config], {
    env: { ...process.env, XDG_STATE_HOME: state },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`tune exited ${r.status}: ${r.stderr}`);
  const totals = JSON.parse(r.stdout).totals;
  return { s: +s.toFixed(2), peak_rss_mb: Math.round(Number(r.stderr.trim().split('\n').at(-1)) / 1024), output_tokens: totals.outputTokens };
}

/** Every row through a cursor, summed in the process: what reading row by row costs. */
function pullRows() {
  const script = `import pg from 'pg';
const c = new pg.Client({ connectionString: '${url}' });
await c.connect();
await c.query('BEGIN');
await c.query('DECLARE r CURSOR FOR SELECT * FROM "LiteLLM_SpendLogs"');
let n = 0;
for (;;) { const b = await c.query('FETCH 10000 FROM r'); if (!b.rows.length) break; n += b.rows.length; }
await c.query('COMMIT');
await c.end();
console.log(n);`;
  const file = join(ROOT, 'bench/out/pull-rows.mjs');
  writeFileSync(file, script);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, file], { encoding: 'utf8', cwd: ROOT });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(r.stderr);
  return { s: +s.toFixed(2), peak_rss_mb: Math.round(Number(r.stderr.trim().split('\n').at(-1)) / 1024), rows: Number(r.stdout.trim()) };
}

const result = {
  benchmark: 'litellm source (the server sums its daily rollups) beside pulling the spend-log rows',
  node: process.version,
  postgres: (await client.query('SHOW server_version')).rows[0].server_version,
  sizes: [],
};
try {
  for (const rows of [Number(values.small), Number(values.large)]) {
    const t0 = Date.now();
    await fill(rows);
    const filled = (Date.now() - t0) / 1000;
    const rollupRows = Number((await client.query('SELECT (SELECT count(*) FROM "LiteLLM_DailyUserSpend") + (SELECT count(*) FROM "LiteLLM_DailyTagSpend") AS n')).rows[0].n);
    const output = Number((await client.query('SELECT sum(completion_tokens) AS n FROM "LiteLLM_SpendLogs"')).rows[0].n);
    const tune = tuneRead();
    if (tune.output_tokens !== output) throw new Error(`tune read ${tune.output_tokens} output tokens, the rows hold ${output}`);
    result.sizes.push({ spend_log_rows: rows, rollup_rows: rollupRows, fill_s: +filled.toFixed(1), tune, pull_rows: pullRows() });
  }
} finally {
  await client.end();
  await server.stop();
}
writeFileSync(join(OUT, 'litellm.json'), JSON.stringify(result, null, 2));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
