#!/usr/bin/env node
// Generates realistic tokentune JSONL telemetry with a fixed seed, so the bundled example and the
// benchmark data are reproducible byte for byte.
//
//   node scripts/generate-fixtures.mjs [--out fixtures/example] [--days 28] [--runs-per-day 2]
//        [--end 2026-11-20] [--seed 42] [--phases N] [--no-calls] [--categories N]
//        [--targets DIR] [--first-run N]
//
// --targets DIR runs the pipeline as DIR's models.yaml and strategy_engine_config.yaml configure it
// (after a merged proposal): each category's model and cap are read from there, and a model one rung
// above or below the shaped one does that work better or worse (MODEL_EFFECT). --first-run numbers the
// runs from N, so follow-up weeks do not reuse the ids of earlier ones.
//
// --phases N scales the runs per day until about N phase records are written (for benchmarks).
// --categories N adds variations of the eight shaped categories until there are N (prompt-size bench).
// Each category is shaped to exercise one tuning decision; see CATEGORIES below.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'fixtures/example' },
    days: { type: 'string', default: '28' },
    'runs-per-day': { type: 'string', default: '2' },
    end: { type: 'string', default: '2026-11-20' },
    seed: { type: 'string', default: '42' },
    phases: { type: 'string' },
    'no-calls': { type: 'boolean', default: false },
    categories: { type: 'string', default: '8' },
    targets: { type: 'string' },
    'first-run': { type: 'string', default: '1' },
  },
});

const rand = rng(Number(values.seed));
const normal = () => {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
};
const poisson = (mean) => {
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
};

// perRun: expected phases per run. success: success rate. retries: [on success, on failure].
// mean/sd: tokens of a successful phase (sd relative). failMult: tokens of a failed phase relative to
// a successful one (retries included). cap: incident_token_cap in force.
const CATEGORIES = [
  // Downgrade (sonnet → haiku) and cap too high: easy, reliable, far under its cap.
  { name: 'docs', tier: 'T1', complexity: 'low', model: 'claude-sonnet-4-5', perRun: 2, success: 0.97, retries: [0.05, 1], mean: 60_000, sd: 0.25, failMult: 1.6, cap: 200_000 },
  // Downgrade, and CI that mostly raises false alarms on low-risk work.
  { name: 'tests', tier: 'T1', complexity: 'low', model: 'claude-sonnet-4-5', perRun: 2, success: 0.95, retries: [0.2, 1.5], mean: 180_000, sd: 0.2, failMult: 1.5, cap: 400_000 },
  // Well-calibrated: P75–P90 in 70–90% of the cap, success 88%: keep everything.
  { name: 'feature_scaffolding', tier: 'T2', complexity: 'medium', model: 'claude-sonnet-4-5', perRun: 3, success: 0.88, retries: [0.4, 1.8], mean: 330_000, sd: 0.15, failMult: 1.05, cap: 500_000 },
  // Cap too high, model right.
  { name: 'debt_cleanup', tier: 'T2', complexity: 'medium', model: 'claude-sonnet-4-5', perRun: 1, success: 0.9, retries: [0.6, 2], mean: 150_000, sd: 0.22, failMult: 1.3, cap: 400_000 },
  // Upgrade pilot, cap too low (truncations) and failures escaping CI: fails often and expensively.
  { name: 'external_feature_reuse', tier: 'T3', complexity: 'high', model: 'claude-sonnet-4-5', perRun: 1.5, success: 0.64, retries: [1.2, 3], mean: 300_000, sd: 0.2, failMult: 2.6, cap: 800_000 },
  // Cap too low: P95 above the cap with max_tokens stops, on the strongest model already.
  { name: 'schema_contract_change', tier: 'T3', complexity: 'high', model: 'claude-opus-4-5', perRun: 0.8, success: 0.84, retries: [0.5, 1.5], mean: 700_000, sd: 0.14, failMult: 1.1, cap: 800_000 },
  // Well-calibrated on opus; reliable but near its cap, so no downgrade.
  { name: 'security_auth_change', tier: 'T3', complexity: 'high', model: 'claude-opus-4-5', perRun: 0.7, success: 0.93, retries: [0.3, 1.5], mean: 560_000, sd: 0.12, failMult: 1.1, cap: 800_000 },
  // Too little data: a handful of phases in four weeks.
  { name: 'cross_cutting_refactor', tier: 'T2', complexity: 'high', model: 'claude-opus-4-5', perRun: 0.07, success: 0.75, retries: [0.5, 2], mean: 800_000, sd: 0.2, failMult: 1.5, cap: 1_000_000 },
];
// Variations of the shaped categories, so a large catalogue keeps every kind of decision in it.
const AREAS = ['billing', 'search', 'auth', 'reports', 'mobile', 'infra', 'payments', 'admin', 'api', 'ui'];
for (let i = CATEGORIES.length; i < Number(values.categories); i++) {
  const base = CATEGORIES[i % 7];
  CATEGORIES.push({ ...base, name: `${AREAS[i % AREAS.length]}_${base.name}_${i}`, perRun: Math.max(0.4, base.perRun / 3), mean: Math.round(base.mean * (0.8 + 0.4 * rand())) });
}
const TIERS = [
  { id: 'T1', profile: 'ci_standard', runs: 6, catch: 0.02, fp: 0.3, tokens: 4_000 },
  { id: 'T2', profile: 'ci_standard', runs: 8, catch: 0.18, fp: 0.1, tokens: 5_000 },
  { id: 'T3', profile: 'ci_standard', runs: 8, catch: 0.25, fp: 0.1, tokens: 6_000 },
];
const AUX = [
  { role: 'planner', provider: 'openai', model: 'gpt-4.1-mini', calls: 3, tokens: 60_000 },
  { role: 'doctor', provider: 'anthropic', model: 'claude-haiku-4-5', calls: 2, tokens: 40_000 },
];

// Rungs of the example's ladder; a model's effect on a category is counted from its shaped model.
const RUNG = { 'claude-haiku-4-5': 0, 'claude-sonnet-4-5': 1, 'claude-sonnet-5-5': 1, 'claude-opus-4-5': 2 };
/**
 * What one rung does to a category's work: a stronger model removes half the failures and spends 10%
 * fewer tokens; a weaker one fails 2 points more often on low-complexity work (10 on harder work) and
 * spends 10% more.
 */
function MODEL_EFFECT(c, model) {
  const steps = (RUNG[model] ?? 1) - (RUNG[c.model] ?? 1);
  let { success, mean } = c;
  for (let i = 0; i < Math.abs(steps); i++) {
    success = steps > 0 ? success + (1 - success) / 2 : success - (c.complexity === 'low' ? 0.02 : 0.1);
    mean = steps > 0 ? mean * 0.9 : mean * 1.1;
  }
  return { ...c, model, success, mean };
}
if (values.targets) {
  const { parseDocument } = await import('yaml');
  const { readFileSync } = await import('node:fs');
  const read = (f) => parseDocument(readFileSync(join(values.targets, f), 'utf8'), { version: '1.1' });
  const models = read('models.yaml');
  const strategy = read('strategy_engine_config.yaml');
  const LEVEL = { low: 'LOW', medium: 'MODERATE', high: 'HIGH' };
  for (const [i, c] of CATEGORIES.entries()) {
    const model = models.getIn([LEVEL[c.complexity], c.name]) ?? models.getIn([LEVEL[c.complexity], 'default']) ?? c.model;
    const cap = strategy.getIn(['category_defaults', c.name, 'incident_token_cap']) ?? c.cap;
    CATEGORIES[i] = { ...MODEL_EFFECT(c, model), cap };
  }
}

const days = Number(values.days);
const endDay = Date.parse(`${values.end}T00:00:00Z`);
const phasesPerRun = CATEGORIES.reduce((s, c) => s + c.perRun, 0);
const runsPerDay = values.phases ? Math.max(1, Math.round(Number(values.phases) / phasesPerRun / days)) : Number(values['runs-per-day']);
const withCalls = !values['no-calls'];

mkdirSync(values.out, { recursive: true });
const files = {
  phase: createWriteStream(join(values.out, 'phases.jsonl')),
  call: withCalls ? createWriteStream(join(values.out, 'calls.jsonl')) : null,
  ci: createWriteStream(join(values.out, 'ci.jsonl')),
};
const buffers = { phase: [], call: [], ci: [] };
const counts = { phase: 0, call: 0, ci: 0 };
async function emit(kind, obj) {
  counts[kind]++;
  const buf = buffers[kind];
  buf.push(JSON.stringify(obj));
  if (buf.length >= 5000) await flush(kind);
}
async function flush(kind) {
  const stream = files[kind];
  const buf = buffers[kind];
  if (!stream || !buf.length) return;
  const ok = stream.write(buf.join('\n') + '\n');
  buf.length = 0;
  if (!ok) await new Promise((r) => stream.once('drain', r));
}
const iso = (ms) => new Date(ms).toISOString();

function splitCall(total) {
  // Token kinds of a typical agent call: mostly cache reads of the growing context.
  const input = Math.round(total * 0.3);
  const output = Math.round(total * 0.15);
  const cache_creation = Math.round(total * 0.05);
  return { input_tokens: input, output_tokens: output, cache_creation_input_tokens: cache_creation, cache_read_input_tokens: total - input - output - cache_creation };
}

let runSeq = Number(values['first-run']) - 1;
for (let d = days - 1; d >= 0; d--) {
  const dayStart = endDay - d * 86_400_000;
  // Learned rules kick in over the weeks: runs get a little cheaper.
  const drift = 1.08 - (0.12 * (days - 1 - d)) / Math.max(1, days - 1);
  for (let r = 0; r < runsPerDay; r++) {
    runSeq++;
    const runId = `run-${String(runSeq).padStart(5, '0')}`;
    let ts = dayStart + Math.floor(((r + rand() * 0.5) / runsPerDay) * 80_000_000);
    const tierFailures = {};
    for (const c of CATEGORIES) {
      const n = Math.floor(c.perRun) + (rand() < c.perRun - Math.floor(c.perRun) ? 1 : 0);
      for (let i = 0; i < n; i++) {
        ts += 60_000 + Math.floor(rand() * 600_000);
        const ok = rand() < c.success;
        let tokens = Math.max(1_000, Math.round(c.mean * drift * (1 + c.sd * normal()) * (ok ? 1 : c.failMult)));
        let stop = null;
        if (tokens >= c.cap) {
          tokens = c.cap;
          stop = 'max_tokens';
        }
        const retries = poisson(ok ? c.retries[0] : c.retries[1]);
        const outcome = ok ? 'success' : rand() < 0.8 ? 'failed' : rand() < 0.5 ? 'timeout' : 'stuck';
        const phaseId = `${c.tier}.${c.name}.${i + 1}`;
        const auditor = c.complexity === 'high' ? 'claude-opus-4-5' : 'claude-sonnet-4-5';
        await emit('phase', {
          type: 'phase',
          ts: iso(ts),
          run_id: runId,
          tier_id: c.tier,
          phase_id: phaseId,
          category: c.name,
          complexity: c.complexity,
          builder_model: c.model,
          auditor_model: auditor,
          tokens_used: tokens,
          incident_token_cap: c.cap,
          outcome,
          builder_attempts: 1 + retries,
          auditor_attempts: 1 + Math.min(retries, 1),
          retries,
          ...(stop ? { stop_reason: stop } : {}),
        });
        if (!ok) tierFailures[c.tier] = (tierFailures[c.tier] ?? 0) + 1;
        if (withCalls) {
          const builderShare = Math.round(tokens * 0.75);
          await emit('call', { type: 'call', ts: iso(ts), run_id: runId, phase_id: phaseId, role: 'builder', provider: 'anthropic', model: c.model, ...splitCall(builderShare) });
          await emit('call', { type: 'call', ts: iso(ts + 1000), run_id: runId, phase_id: phaseId, role: 'auditor', provider: 'anthropic', model: auditor, ...splitCall(tokens - builderShare) });
        }
      }
    }
    for (const t of TIERS) {
      const runs = Math.max(1, t.runs + Math.round(normal()));
      let caught = 0;
      let fps = 0;
      for (let k = 0; k < runs; k++) {
        const x = rand();
        if (x < t.catch) caught++;
        else if (x < t.catch + t.fp) fps++;
      }
      await emit('ci', {
        type: 'ci',
        ts: iso(ts + 120_000),
        run_id: runId,
        tier_id: t.id,
        ci_profile: t.profile,
        runs,
        failures_caught: caught,
        false_positives: fps,
        tokens_equivalent: runs * t.tokens,
      });
    }
    if (withCalls) {
      for (const a of AUX) {
        for (let k = 0; k < a.calls; k++) {
          const total = Math.max(1_000, Math.round((a.tokens / a.calls) * (1 + 0.2 * normal())));
          await emit('call', { type: 'call', ts: iso(ts + 200_000 + k * 1000), run_id: runId, role: a.role, provider: a.provider, model: a.model, ...splitCall(total) });
        }
      }
    }
  }
}
for (const kind of Object.keys(files)) await flush(kind);
await Promise.all(
  Object.values(files)
    .filter(Boolean)
    .map((s) => new Promise((r) => s.end(r))),
);
process.stderr.write(`wrote ${counts.phase} phase, ${counts.call} call and ${counts.ci} ci records to ${values.out} (${runSeq - Number(values['first-run']) + 1} runs)\n`);
