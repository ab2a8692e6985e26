import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import { MYCO_DDL } from '../../scripts/myco-schema.mjs';
import { rng } from '../../scripts/rng.mjs';

/**
 * A simulated Myco project for closed-loop replays: work for a scheduled task arrives at a known rate,
 * and each run takes what arrived since the last one (none: a no-op). A phase needs a known number of
 * turns per model, plus some per item of work for a task whose work piles up; runs fail at a known
 * rate per model. A week of runs is written from whatever `.myco/myco.yaml` says at the time, so a
 * merged proposal changes what the next week does.
 */

type Model = 'claude-haiku-4-5' | 'claude-sonnet-5-5' | 'claude-opus-5-5';

interface FleetTask {
  task: string;
  /** Seconds between runs: the task definition's interval, or the mean gap of event-driven runs. */
  every: number;
  scheduled: boolean;
  provider: 'anthropic' | 'ollama';
  /** The definition's model (a local one for ollama). */
  model: string;
  /** Items of work arriving per hour: a scheduled run finds none with probability exp(−rate × interval). */
  rate: number;
  /** Turns a phase needs per model (mean and spread), and per item of work found; the definition's budget. */
  phases: { name: string; need: Record<Model, [number, number]>; perItem?: number; budget: number }[];
  fail: Record<Model, number>;
}

const need = (mean: number, sd: number, haiku = 1.15, opus = 0.9): Record<Model, [number, number]> => ({
  'claude-haiku-4-5': [mean * haiku, sd * haiku],
  'claude-sonnet-5-5': [mean, sd],
  'claude-opus-5-5': [mean * opus, sd * opus],
});

export const MYCO_FLEET: FleetTask[] = [
  // Its extract phase needs about as many turns as its budget allows: cut off one run in ten.
  {
    task: 'full-intelligence',
    every: 3600,
    scheduled: true,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    rate: 2.1,
    phases: [
      { name: 'read-state', need: need(4, 1.2), budget: 20 },
      { name: 'extract', need: need(31, 5), budget: 35 },
      { name: 'consolidate', need: need(8, 2), budget: 15 },
    ],
    fail: { 'claude-haiku-4-5': 0.08, 'claude-sonnet-5-5': 0.03, 'claude-opus-5-5': 0.02 },
  },
  // Runs every half hour for work that comes a few times a day: mostly no-ops.
  {
    task: 'vault-evolve',
    every: 1800,
    scheduled: true,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    rate: 0.2557,
    phases: [
      { name: 'survey', need: need(3, 0.8), budget: 10 },
      { name: 'evolve', need: need(12, 3), budget: 25 },
      { name: 'verify', need: need(5, 1.5), budget: 10 },
    ],
    fail: { 'claude-haiku-4-5': 0.03, 'claude-sonnet-5-5': 0.01, 'claude-opus-5-5': 0.01 },
  },
  // Always finds work; easy enough for a cheaper model.
  {
    task: 'skill-evolve',
    every: 7200,
    scheduled: true,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    rate: 5,
    phases: [
      { name: 'assess', need: need(14, 3), budget: 30 },
      { name: 'apply', need: need(9, 2), budget: 20 },
    ],
    fail: { 'claude-haiku-4-5': 0.03, 'claude-sonnet-5-5': 0.02, 'claude-opus-5-5': 0.02 },
  },
  // On every session: short, and as good on haiku.
  {
    task: 'title-summary',
    every: 2400,
    scheduled: false,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    rate: 0,
    phases: [{ name: 'summarize', need: need(2, 0.6), budget: 8 }],
    fail: { 'claude-haiku-4-5': 0.005, 'claude-sonnet-5-5': 0.005, 'claude-opus-5-5': 0.005 },
  },
  // A local model: free, never tuned.
  {
    task: 'title-summary-custom',
    every: 7200,
    scheduled: false,
    provider: 'ollama',
    model: 'glm-4.7-flash:latest',
    rate: 0,
    phases: [{ name: 'summarize', need: need(3, 1), budget: 8 }],
    fail: { 'claude-haiku-4-5': 0.02, 'claude-sonnet-5-5': 0.02, 'claude-opus-5-5': 0.02 },
  },
  // Work piles up faster than hourly runs with their definition's budget get through it.
  {
    task: 'digest',
    every: 3600,
    scheduled: true,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    rate: 20,
    phases: [{ name: 'digest', need: need(4, 1), perItem: 1.2, budget: 30 }],
    fail: { 'claude-haiku-4-5': 0.03, 'claude-sonnet-5-5': 0.01, 'claude-opus-5-5': 0.01 },
  },
  // Scheduled by its definition every 4 hours, mostly for nothing.
  {
    task: 'skill-survey',
    every: 14_400,
    scheduled: true,
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    rate: 0.089,
    phases: [
      { name: 'scan', need: need(4, 1), budget: 12 },
      { name: 'propose', need: need(10, 2.5), budget: 20 },
    ],
    fail: { 'claude-haiku-4-5': 0.02, 'claude-sonnet-5-5': 0.01, 'claude-opus-5-5': 0.01 },
  },
];

/** USD per million tokens: input, cached input, output. */
const PRICE: Record<Model, [number, number, number]> = {
  'claude-haiku-4-5': [1, 0.1, 5],
  'claude-sonnet-5-5': [3, 0.3, 15],
  'claude-opus-5-5': [5, 0.5, 25],
};

export const MYCO_YAML = `# Myco settings of a simulated project
agent:
  provider:
    type: anthropic
    model: claude-sonnet-5-5
  tasks:
    full-intelligence:
      provider:
        type: anthropic
        model: claude-sonnet-5-5
      phases:
        read-state:
          maxTurns: 20
        extract:
          maxTurns: 35
      schedule:
        enabled: true
        intervalSeconds: 3600
    vault-evolve:
      provider:
        type: anthropic
      schedule:
        enabled: true
        intervalSeconds: 1800
    skill-evolve:
      provider:
        type: anthropic
      phases:
        assess:
          maxTurns: 30
      schedule:
        enabled: true
        intervalSeconds: 7200
    title-summary:
      provider:
        type: anthropic
        model: claude-sonnet-5-5
      phases:
        summarize:
          maxTurns: 8
    title-summary-custom:
      provider:
        type: ollama
        model: glm-4.7-flash:latest
    digest:
      provider:
        type: anthropic
      schedule:
        enabled: true
        intervalSeconds: 3600
    skill-survey:
      provider:
        type: anthropic
      schedule:
        enabled: true
        runIn:
          - idle
`;

/** What the simulation takes from the config: per task, its model, interval and phase budgets. */
export type MycoConfig = Record<string, { model: string; interval: number; budgets: Record<string, number> }>;

export function mycoConfigOf(yaml: string): MycoConfig {
  const doc = parse(yaml) as {
    agent: { provider: { model: string }; tasks: Record<string, { provider?: { model?: string }; phases?: Record<string, { maxTurns?: number }>; schedule?: { intervalSeconds?: number } }> };
  };
  const out: MycoConfig = {};
  for (const t of MYCO_FLEET) {
    const block = doc.agent.tasks[t.task] ?? {};
    const budgets: Record<string, number> = {};
    for (const p of t.phases) budgets[p.name] = block.phases?.[p.name]?.maxTurns ?? p.budget;
    out[t.task] = { model: block.provider?.model ?? (t.provider === 'ollama' ? t.model : doc.agent.provider.model), interval: block.schedule?.intervalSeconds ?? t.every, budgets };
  }
  return out;
}

export interface MycoWeek {
  runs: number;
  successes: number;
  noops: number;
  usd: number;
  /** Phases stopped at their turn budget. */
  capHits: number;
  /** Runs and successes per task. */
  tasks: Record<string, { runs: number; successes: number }>;
}

export async function writeMycoRepo(dir: string): Promise<{ config: string; yaml: string; db: string }> {
  await mkdir(join(dir, 'repo/.myco'), { recursive: true });
  const yaml = join(dir, 'repo/.myco/myco.yaml');
  const db = join(dir, 'repo/.myco/myco.db');
  await writeFile(yaml, MYCO_YAML);
  const d = new Database(db);
  d.exec(MYCO_DDL);
  d.close();
  const config = join(dir, 'tuner.yaml');
  await writeFile(
    config,
    `project: myco-replay
sources: [{path: repo/.myco/myco.db, format: myco-db}]
targets: [{path: repo/.myco/myco.yaml, preset: myco}]
window: {days: 14}
models: {ladders: {anthropic: [claude-haiku-4-5, claude-sonnet-5-5, claude-opus-5-5]}}
llm: {enabled: false}
publish: {enabled: false}
`,
  );
  return { config, yaml, db };
}

export const readMycoConfig = async (yaml: string): Promise<MycoConfig> => mycoConfigOf(await readFile(yaml, 'utf8'));

/**
 * One week of runs from `start` under `config`, written to `db` when given. The random draws of a
 * task's week depend on the week and the task only, so two configs see the same arrivals of work.
 */
export function simulateMycoWeek(week: number, start: number, config: MycoConfig, db?: string): MycoWeek {
  const out: MycoWeek = { runs: 0, successes: 0, noops: 0, usd: 0, capHits: 0, tasks: {} };
  const rows: Record<string, unknown>[] = [];
  MYCO_FLEET.forEach((t, k) => {
    const rand = rng(1000 * (week + 100) + k);
    const gauss = () => {
      let s = 0;
      for (let i = 0; i < 6; i++) s += rand();
      return s - 3;
    };
    const c = config[t.task]!;
    const model = c.model as Model;
    const gap = t.scheduled ? c.interval : t.every;
    // Knuth's method: items of work that arrived in one interval.
    const arrivals = () => {
      const limit = Math.exp(-t.rate * (gap / 3600));
      let k = 0;
      for (let p = rand(); p > limit; p *= rand()) k++;
      return k;
    };
    for (let at = start + gap * 500, n = 0; at < start + 7 * 86_400_000; at += gap * 1000, n++) {
      const items = t.scheduled ? arrivals() : 1;
      const noop = items === 0;
      const failed = rand() < (t.fail[model] ?? 0.02);
      const phases = t.phases.map((p, i) => {
        const [mean, sd] = p.need[model] ?? p.need['claude-sonnet-5-5'];
        const scale = mean / p.need['claude-sonnet-5-5'][0];
        const wanted = Math.max(1, Math.round(mean + (p.perItem ?? 0) * scale * items + gauss() * sd));
        if (noop && i > 0) return { name: p.name, status: 'skipped', turnsUsed: 0, tokensUsed: 0, costUsd: 0 };
        const budget = c.budgets[p.name]!;
        const capHit = wanted > budget;
        const turns = capHit ? budget : wanted;
        const price = PRICE[model];
        const costUsd = price ? (turns * 1200 * price[0] + turns * 4000 * price[1] + turns * 450 * price[2]) / 1e6 : 0;
        if (capHit) out.capHits++;
        return { name: p.name, status: 'completed', turnsUsed: turns, tokensUsed: turns * 5650, costUsd, ...(capHit ? { capHit: true, observedTurns: turns, allowedTurns: budget } : {}) };
      });
      const turns = phases.reduce((s, p) => s + p.turnsUsed, 0);
      const cost = phases.reduce((s, p) => s + p.costUsd, 0);
      out.runs++;
      if (!failed) out.successes++;
      const per = (out.tasks[t.task] ??= { runs: 0, successes: 0 });
      per.runs++;
      if (!failed) per.successes++;
      if (noop) out.noops++;
      out.usd += cost;
      const startedAt = Math.floor(at / 1000);
      rows.push({
        id: `w${week}-${t.task}-${n}`,
        task: t.task,
        status: failed ? 'failed' : 'completed',
        provider: t.provider,
        model: c.model,
        usage_data: JSON.stringify({
          run: { inputTokens: turns * 5200, cachedTokens: turns * 4000, outputTokens: turns * 450, totalTokens: turns * 5650 },
          phases: phases.map((p) => ({ name: p.name, turnsUsed: p.turnsUsed, tokensUsed: p.tokensUsed })),
        }),
        started_at: startedAt,
        completed_at: startedAt + turns * 6 + 1,
        tokens_used: turns * 5650,
        cost_usd: cost,
        cost_source: t.provider === 'ollama' ? 'unavailable' : 'actual',
        actual_cost_usd: t.provider === 'ollama' ? null : cost,
        actions_taken: JSON.stringify({ model: c.model, provider: t.provider, phases }),
      });
    }
  });
  if (db) {
    const d = new Database(db);
    const insert = d.prepare(`INSERT INTO agent_runs (id, task, status, provider, model, usage_data, started_at, completed_at, tokens_used, cost_usd, cost_source, actual_cost_usd, actions_taken)
      VALUES (@id, @task, @status, @provider, @model, @usage_data, @started_at, @completed_at, @tokens_used, @cost_usd, @cost_source, @actual_cost_usd, @actions_taken)`);
    d.transaction(() => rows.forEach((r) => insert.run(r)))();
    d.close();
  }
  return out;
}
