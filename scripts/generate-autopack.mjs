#!/usr/bin/env node
// Fills an Autopack-shaped SQLite database (its runs, tiers, phases, phase_outcome_events and
// llm_usage_events tables, with columns tokentune does not read beside the ones it does) with a fixed
// seed, and writes truth.json beside it: what a correct reader counts from the finished runs.
//
// Runs are written as Autopack writes them: created, then their phases updated in place as they
// execute, then finished. `--running K` leaves the last K runs unfinished (phases still QUEUED or
// EXECUTING). `--advance` opens an existing database instead: it finishes the runs left running (their
// rows updated in place) and adds `--runs` new ones, and rewrites truth.json.
//
//   node scripts/generate-autopack.mjs --out DIR [--runs 40] [--running 0] [--advance] [--seed 1]
//        [--end 2026-11-20] [--days 28] [--every-minutes 180]
// Run n starts `--every-minutes` after run n-1, the first `--days` before `--end`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { autopackDdl } from './autopack-schema.mjs';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    runs: { type: 'string', default: '40' },
    running: { type: 'string', default: '0' },
    advance: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    end: { type: 'string', default: '2026-11-20' },
    days: { type: 'string', default: '28' },
    'every-minutes': { type: 'string', default: '180' },
  },
});
if (!values.out) throw new Error('--out DIR is required');

const file = join(values.out, 'autopack.db');
const fresh = !values.advance;
if (fresh && existsSync(file)) throw new Error(`${file} exists; remove it, or use --advance`);
mkdirSync(values.out, { recursive: true });
const db = new Database(file);
db.pragma('journal_mode = WAL');

db.exec(autopackDdl('sqlite'));

const meta = join(values.out, 'generator.json');
const state = fresh ? { seed: Number(values.seed), runs: 0, steps: 0 } : JSON.parse(readFileSync(meta, 'utf8'));
state.steps++;
// A database written before the generator kept this: its latest completion.
state.lastDone ??= Date.parse(`${String(db.prepare('SELECT max(completed_at) FROM runs').pluck().get() ?? '1970-01-01 00:00:00').replace(' ', 'T')}Z`);
const rand = rng(state.seed * 1000 + state.steps);
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
// SQLAlchemy's DateTime in SQLite: naive UTC text.
const stamp = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');

// Categories with their complexity, cap and success rate, in Autopack's ruleset's shape.
// Each runs on its model, as the example's models.yaml routes it, and now and then on another (an
// escalation, or before the last change of its routing).
const CATEGORIES = [
  { name: 'feature_scaffolding', complexity: 'medium', cap: 500_000, need: 180_000, success: 0.93, model: 'claude-sonnet-5-5', other: 'claude-opus-5-5' },
  { name: 'docs', complexity: 'low', cap: 200_000, need: 40_000, success: 0.98, model: 'claude-sonnet-5-5', other: 'claude-opus-5-5' },
  { name: 'tests', complexity: 'low', cap: 300_000, need: 90_000, success: 0.9, model: 'claude-sonnet-5-5', other: 'claude-haiku-4-5' },
  { name: 'schema_contract_change', complexity: 'high', cap: 1_000_000, need: 420_000, success: 0.8, model: 'claude-opus-5-5', other: 'claude-sonnet-5-5' },
  { name: 'security_auth_change', complexity: 'high', cap: 800_000, need: 300_000, success: 0.97, model: 'claude-opus-5-5', other: 'claude-sonnet-5-5' },
];
const OUTCOMES = [
  ['SUCCESS', null],
  ['FAILED', 'retry_limit'],
  ['FAILED', 'max_tokens'],
  ['TIMEOUT', 'timeout'],
  ['STUCK', 'stuck'],
];
const endMs = Date.parse(`${values.end}T20:00:00Z`);
const days = Number(values.days);

const ins = {
  run: db.prepare(`INSERT INTO runs (id, state, created_at, updated_at, started_at, safety_profile, run_scope, token_cap, max_phases, max_duration_minutes,
    tokens_used, ci_runs_used, minor_issues_count, major_issues_count, promotion_eligible_to_main, goal_anchor) VALUES (?, 'PHASE_EXECUTION', ?, ?, ?, 'normal', 'multi_tier', 5000000, 25, 120, 0, 0, 0, 0, 'false', ?)`),
  tier: db.prepare(`INSERT INTO tiers (tier_id, run_id, tier_index, name, state, token_cap, ci_run_cap, max_major_issues_tolerated, tokens_used, ci_runs_used,
    minor_issues_count, major_issues_count, cleanliness, created_at, updated_at) VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?, 0, 0, 0, 0, 0, 'clean', ?, ?)`),
  phase: db.prepare(`INSERT INTO phases (phase_id, run_id, tier_id, phase_index, name, description, state, task_category, complexity, builder_mode, scope,
    max_builder_attempts, max_auditor_attempts, incident_token_cap, builder_attempts, auditor_attempts, tokens_used, minor_issues_count, major_issues_count,
    issue_state, quality_blocked, retry_attempt, revision_epoch, escalation_level, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, 'generated', 'QUEUED', ?, ?, 'scaffolding_heavy', '{"paths": ["src/"]}', 5, 2, ?, 0, 0, 0, 0, 0, 'no_issues', 0, 0, 0, 0, ?, ?)`),
  execute: db.prepare(`UPDATE phases SET state = 'EXECUTING', builder_attempts = ?, tokens_used = ?, started_at = ?, updated_at = ? WHERE run_id = ? AND phase_id = ?`),
  finishPhase: db.prepare(`UPDATE phases SET state = ?, builder_attempts = ?, auditor_attempts = ?, tokens_used = ?, retry_attempt = ?, last_failure_reason = ?,
    completed_at = ?, updated_at = ? WHERE run_id = ? AND phase_id = ?`),
  outcome:
    db.prepare(`INSERT INTO phase_outcome_events (run_id, phase_id, phase_type, phase_outcome, stop_reason, tokens_used, duration_seconds, model_used, timestamp, context_injected, context_item_count)
    VALUES (?, ?, 'build', ?, ?, ?, ?, ?, ?, 1, 3)`),
  usage: db.prepare(`INSERT INTO llm_usage_events (provider, model, run_id, phase_id, role, total_tokens, prompt_tokens, completion_tokens, created_at, is_doctor_call, phase_type, intent)
    VALUES ('anthropic', ?, ?, ?, ?, ?, ?, ?, ?, 0, 'build', 'feature')`),
  finishRun: db.prepare(`UPDATE runs SET state = ?, tokens_used = ?, completed_at = ?, updated_at = ? WHERE id = ?`),
  finishTier: db.prepare(`UPDATE tiers SET state = 'COMPLETE', tokens_used = ?, updated_at = ? WHERE id = ?`),
};

/** Creates a run with its tiers and queued phases; returns its plan. */
function createRun(n) {
  const id = `run-${String(n).padStart(5, '0')}`;
  const start = endMs - days * 86_400_000 + n * Number(values['every-minutes']) * 60_000 + int(0, 600_000);
  ins.run.run(id, stamp(start), stamp(start), stamp(start), `goal of ${id}`);
  const phases = [];
  for (let t = 1; t <= int(1, 3); t++) {
    const tier = Number(ins.tier.run(`T${t}`, id, t, `tier ${t}`, 3_000_000, 10, stamp(start), stamp(start)).lastInsertRowid);
    for (let k = 1; k <= int(2, 6); k++) {
      const c = pick(CATEGORIES);
      const phaseId = `F${t}.${k}`;
      ins.phase.run(phaseId, id, tier, phases.length, `${c.name} ${phaseId}`, c.name, c.complexity, c.cap, stamp(start), stamp(start));
      phases.push({ phaseId, c, tier });
    }
  }
  return { id, start, phases };
}

/** Executes a run's phases (rows updated in place, events inserted) and finishes it. */
function finishRun(plan, truth) {
  let t = plan.start;
  let runTokens = 0;
  const tierTokens = new Map();
  for (const { phaseId, c, tier } of plan.phases) {
    t += int(60, 900) * 1000;
    ins.execute.run(1, 1000, stamp(t), stamp(t), plan.id, phaseId);
    const ok = rand() < c.success;
    const [outcome, stop] = ok ? OUTCOMES[0] : pick(OUTCOMES.slice(1));
    const tokens = stop === 'max_tokens' ? c.cap : Math.min(c.cap, Math.round(c.need * (0.5 + rand())));
    const attempts = ok ? (rand() < 0.85 ? 1 : 2) : int(2, 5);
    const model = rand() < 0.9 ? c.model : c.other;
    const duration = int(30, 1200);
    t += duration * 1000;
    ins.finishPhase.run(ok ? 'COMPLETE' : 'FAILED', attempts, int(1, 2), tokens, attempts - 1, ok ? null : stop, stamp(t), stamp(t), plan.id, phaseId);
    // Some phases get an outcome event; the others are known by their state alone.
    if (rand() < 0.85) ins.outcome.run(plan.id, phaseId, outcome, stop, tokens, duration + 0.25, model, stamp(t));
    const p = (truth.categories[c.name] ??= { phases: 0, success: 0, tokens: 0, truncated: 0 });
    p.phases++;
    p.success += outcome === 'SUCCESS' ? 1 : 0;
    p.tokens += tokens;
    p.truncated += stop === 'max_tokens' ? 1 : 0;
    truth.phases++;
    runTokens += tokens;
    tierTokens.set(tier, (tierTokens.get(tier) ?? 0) + tokens);
    // The calls of the phase: builder and auditor, some rows with the total only.
    for (const role of ['builder', 'auditor', 'builder']) {
      const total = int(2_000, 60_000);
      const split = rand() < 0.2 ? null : int(Math.floor(total * 0.6), total);
      ins.usage.run(role === 'auditor' ? 'claude-sonnet-5-5' : model, plan.id, phaseId, role, total, split, split === null ? null : total - split, stamp(t - 1000));
      truth.calls.n++;
      truth.calls.total += total;
    }
  }
  // A planner call of the run, not tied to a phase.
  const total = int(5_000, 20_000);
  ins.usage.run('claude-haiku-4-5', plan.id, null, 'agent:planner', total, total - 500, 500, stamp(t));
  truth.calls.n++;
  truth.calls.total += total;
  truth.runs++;
  for (const [tier, tokens] of tierTokens) ins.finishTier.run(tokens, stamp(t), tier);
  // Autopack stamps a run's completion when it commits it: runs written later finish later.
  const done = Math.max(t + 5000, (state.lastDone ?? 0) + 1);
  state.lastDone = done;
  ins.finishRun.run(rand() < 0.9 ? 'DONE_SUCCESS' : 'DONE_FAILED_REQUIRES_HUMAN_REVIEW', runTokens, stamp(done), stamp(done), plan.id);
}

const truth = fresh ? { runs: 0, phases: 0, categories: {}, calls: { n: 0, total: 0 } } : JSON.parse(readFileSync(join(values.out, 'truth.json'), 'utf8'));
const running = fresh ? [] : state.running;
db.transaction(() => {
  // Runs left running by the last step finish now, their rows updated in place.
  for (const plan of running) finishRun(plan, truth);
  const plans = [];
  for (let i = 0; i < Number(values.runs); i++) plans.push(createRun(++state.runs));
  const keep = Number(values.running);
  plans.slice(0, plans.length - keep).forEach((p) => finishRun(p, truth));
  // The last ones stay unfinished: some phases executing, the rest queued.
  state.running = plans.slice(plans.length - keep);
  for (const plan of state.running) ins.execute.run(1, 5000, stamp(plan.start), stamp(plan.start), plan.id, plan.phases[0].phaseId);
})();
// Left in rollback-journal mode: a reader (read-only) of a WAL database leaves -wal and -shm files
// beside it, which a bundled fixture should not.
db.pragma('journal_mode = DELETE');
db.close();
writeFileSync(meta, JSON.stringify(state));
writeFileSync(join(values.out, 'truth.json'), JSON.stringify(truth, null, 1));
process.stderr.write(`${file}: ${truth.runs} finished runs, ${truth.phases} phases, ${state.running.length} running\n`);
