#!/usr/bin/env node
// Fills a Myco-shaped SQLite database (its agent_runs table, with the columns tokentune does not read
// beside the ones it does) with the runs of a few scheduled and event-driven agent tasks over `--days`
// days before `--end`, from a fixed seed, and writes truth.json beside it: what a correct reader
// counts from the finished runs.
//
// The tasks are built to show each rule: a phase that hits its turn budget, one far under it, a task
// whose runs are mostly no-ops, one whose runs always find work, one that an easier model would do, a
// local model, and a cost spike in the last week. `--running K` leaves the newest K runs pending or
// running, as Myco leaves them while they work.
//
//   node scripts/generate-myco.mjs --out DIR [--seed 3] [--end 2026-11-20] [--days 14] [--running 0] [--scale 1]
// `--scale N` runs every task N times as often (for benchmarks).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { MYCO_DDL } from './myco-schema.mjs';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    seed: { type: 'string', default: '3' },
    end: { type: 'string', default: '2026-11-20' },
    days: { type: 'string', default: '14' },
    running: { type: 'string', default: '0' },
    scale: { type: 'string', default: '1' },
  },
});
if (!values.out) throw new Error('--out DIR is required');
const file = join(values.out, 'myco.db');
if (existsSync(file)) throw new Error(`${file} exists; remove it first`);
mkdirSync(values.out, { recursive: true });

const rand = rng(Number(values.seed));
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const gauss = () => {
  let s = 0;
  for (let i = 0; i < 6; i++) s += rand();
  return s - 3;
};

// USD per million tokens as the generator prices runs: input, cached input, output.
const PRICE = {
  'claude-sonnet-5-5': [3, 0.3, 15],
  'claude-haiku-4-5': [1, 0.1, 5],
  'claude-opus-5-5': [5, 0.5, 25],
};

// Each task: how often it runs (seconds; event tasks too), its provider and model, its phases with the
// turns each needs (mean, spread) and the budget it runs under, how often a run finds nothing to do,
// and how often it fails.
const TASKS = [
  {
    task: 'full-intelligence',
    every: 3600,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    noop: 0.1,
    fail: 0.03,
    phases: [
      { name: 'read-state', need: [4, 1.2], budget: 20 },
      { name: 'extract', need: [31, 5], budget: 35 },
      { name: 'consolidate', need: [8, 2], budget: 15 },
    ],
  },
  {
    task: 'vault-evolve',
    every: 1800,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    noop: 0.88,
    fail: 0.01,
    phases: [
      { name: 'survey', need: [3, 0.8], budget: 10 },
      { name: 'evolve', need: [12, 3], budget: 25 },
      { name: 'verify', need: [5, 1.5], budget: 10 },
    ],
  },
  {
    task: 'skill-evolve',
    every: 7200,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    noop: 0,
    fail: 0.02,
    phases: [
      { name: 'assess', need: [16, 3], budget: 30 },
      { name: 'apply', need: [9, 2], budget: 20 },
    ],
  },
  {
    task: 'title-summary',
    every: 2400,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    noop: 0,
    fail: 0.005,
    jitter: true,
    phases: [{ name: 'summarize', need: [2, 0.6], budget: 8 }],
  },
  {
    task: 'title-summary-custom',
    every: 7200,
    provider: 'ollama',
    model: 'glm-4.7-flash:latest',
    noop: 0,
    fail: 0.02,
    jitter: true,
    phases: [{ name: 'summarize', need: [3, 1], budget: 8 }],
  },
  {
    task: 'canopy-describe',
    every: 21600,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    noop: 0,
    fail: 0.02,
    spike: 4,
    phases: [
      { name: 'map', need: [6, 1.5], budget: 15 },
      { name: 'describe', need: [8, 2], budget: 40 },
    ],
  },
  {
    task: 'skill-survey',
    every: 14400,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    noop: 0.7,
    fail: 0.01,
    phases: [
      { name: 'scan', need: [4, 1], budget: 12 },
      { name: 'propose', need: [10, 2.5], budget: 20 },
    ],
  },
];

const end = Date.parse(`${values.end}T00:00:00Z`);
const start = end - Number(values.days) * 86_400_000;
const spikeFrom = end - 7 * 86_400_000;

const db = new Database(file);
db.exec(MYCO_DDL);

const runs = [];
const scale = Number(values.scale);
for (const t of TASKS) {
  for (let at = start + between(0, t.every) * 1000; at < end; at += (t.every / scale) * 1000 * (t.jitter ? 0.5 + rand() : 1)) runs.push({ t, at: Math.floor(at) });
}
runs.sort((a, b) => a.at - b.at);

const truth = { tasks: {}, skipped: 0 };
const insert = db.prepare(`INSERT INTO agent_runs (id, agent_id, task, instruction, status, runtime, provider, model, checkpoints, usage_data,
  started_at, completed_at, tokens_used, cost_usd, actual_cost_usd, estimated_cost_usd, cost_source, actions_taken, error, dry_run, reasoning_level)
  VALUES (@id, 'myco-agent', @task, NULL, @status, 'claude-sdk', @provider, @model, @checkpoints, @usage_data,
  @started_at, @completed_at, @tokens_used, @cost_usd, @actual_cost_usd, @estimated_cost_usd, @cost_source, @actions_taken, @error, @dry_run, 'default')`);

const running = Number(values.running);
db.transaction(() => {
  runs.forEach(({ t, at }, n) => {
    const id = `run-${String(n + 1).padStart(6, '0')}`;
    const noop = rand() < t.noop;
    const failed = rand() < t.fail;
    const spiking = t.spike && at >= spikeFrom;
    const phases = [];
    let seconds = 0;
    t.phases.forEach((p, k) => {
      if (noop && k > 0) {
        phases.push({ name: p.name, status: 'skipped', turnsUsed: 0, tokensUsed: 0, costUsd: 0, summary: 'gate: nothing new' });
        return;
      }
      const need = Math.max(1, Math.round(p.need[0] * (spiking && k === t.phases.length - 1 ? 1.6 : 1) + gauss() * p.need[1]));
      const capHit = need > p.budget;
      const turns = capHit ? p.budget : need;
      // A turn re-reads the conversation: mostly cached input, some new input, a little output.
      const perTurn = spiking && k === t.phases.length - 1 ? 4 : 1;
      const usage = { requests: turns, inputTokens: turns * 5200 * perTurn, cachedTokens: turns * 4000 * perTurn, outputTokens: turns * 450 * perTurn, reasoningTokens: 0 };
      usage.totalTokens = usage.inputTokens + usage.outputTokens;
      const price = PRICE[t.model];
      const costUsd = price ? ((usage.inputTokens - usage.cachedTokens) * price[0] + usage.cachedTokens * price[1] + usage.outputTokens * price[2]) / 1e6 : 0;
      seconds += turns * 6;
      phases.push({
        name: p.name,
        status: failed && k === t.phases.length - 1 ? 'failed' : 'completed',
        turnsUsed: turns,
        tokensUsed: usage.totalTokens,
        costUsd: Math.round(costUsd * 1e6) / 1e6,
        usage,
        summary: 'done',
        ...(capHit ? { capHit: true, observedTurns: turns, allowedTurns: p.budget } : {}),
        ...(failed && k === t.phases.length - 1 ? { postConditionFailed: true } : {}),
      });
    });
    const sum = (f) => phases.reduce((s, p) => s + (p.usage?.[f] ?? 0), 0);
    const run = {
      requests: sum('requests'),
      inputTokens: sum('inputTokens'),
      outputTokens: sum('outputTokens'),
      totalTokens: sum('totalTokens'),
      reasoningTokens: 0,
      cachedTokens: sum('cachedTokens'),
      durationMs: seconds * 1000,
    };
    const local = t.provider === 'ollama';
    const cost = local ? 0 : Math.round(phases.reduce((s, p) => s + p.costUsd, 0) * 1e6) / 1e6;
    const actual = rand() < 0.8;
    const unfinished = n >= runs.length - running;
    const startedAt = Math.floor(at / 1000);
    const completedAt = startedAt + Math.max(1, seconds);
    insert.run({
      id,
      task: t.task,
      status: unfinished ? (n % 2 ? 'running' : 'pending') : failed ? 'failed' : 'completed',
      provider: t.provider,
      model: t.model,
      // Myco keeps checkpoints for resuming; a few rows carry them, as the reader does not need them.
      checkpoints:
        n % 50
          ? null
          : JSON.stringify({
              runtime: 'claude-sdk',
              provider: t.provider,
              model: t.model,
              phases: Object.fromEntries(phases.map((p) => [p.name, { name: p.name, status: p.status, turnsUsed: p.turnsUsed, updatedAt: completedAt }])),
            }),
      usage_data: JSON.stringify({
        run,
        runCost: null,
        runBudget: null,
        phases: phases.map((p) => ({ name: p.name, usage: null, turnsUsed: p.turnsUsed, tokensUsed: p.tokensUsed, costUsd: p.costUsd, costSource: actual ? 'actual' : 'estimated', costData: null })),
      }),
      started_at: startedAt,
      completed_at: unfinished ? null : completedAt,
      tokens_used: run.totalTokens,
      cost_usd: cost,
      actual_cost_usd: actual && !local ? cost : null,
      estimated_cost_usd: actual || local ? null : cost,
      cost_source: local ? 'unavailable' : actual ? 'actual' : 'estimated',
      actions_taken: JSON.stringify({ runtime: 'claude-sdk', model: t.model, provider: t.provider, phases: phases.map(({ usage: _u, ...p }) => p) }),
      error: failed ? 'postcondition not satisfied' : null,
      dry_run: 0,
    });
    if (unfinished) return;
    const tt = (truth.tasks[t.task] ??= { runs: 0, success: 0, noops: 0, cost_usd: 0, tokens: 0, phases: {} });
    tt.runs++;
    if (!failed) tt.success++;
    if (noop) tt.noops++;
    tt.cost_usd += local ? 0 : cost;
    tt.tokens += run.totalTokens;
    for (const p of phases) {
      const tp = (tt.phases[p.name] ??= { runs: 0, cap_hits: 0 });
      tp.runs++;
      if (p.capHit) tp.cap_hits++;
    }
  });
})();
// A dry run, which the reader leaves out, and a row whose JSON is damaged, which it skips with its id.
db.prepare(
  `INSERT INTO agent_runs (id, task, status, provider, model, started_at, completed_at, tokens_used, cost_usd, cost_source, usage_data, actions_taken, dry_run)
  VALUES ('run-dry', 'vault-evolve', 'completed', 'anthropic', 'claude-sonnet-5-5', ?, ?, 1000, 0.01, 'actual', '{}', '{}', 1)`,
).run(end / 1000 - 7200, end / 1000 - 7100);
db.prepare(
  `INSERT INTO agent_runs (id, task, status, provider, model, started_at, completed_at, tokens_used, cost_usd, cost_source, usage_data, actions_taken, dry_run)
  VALUES ('run-damaged', 'vault-evolve', 'completed', 'anthropic', 'claude-sonnet-5-5', ?, ?, 1000, 0.01, 'actual', '{"run": ', '{}', 0)`,
).run(end / 1000 - 7000, end / 1000 - 6900);
truth.skipped = 1;
db.exec('VACUUM');
db.close();
writeFileSync(join(values.out, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
