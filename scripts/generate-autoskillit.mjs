#!/usr/bin/env node
// Generates AutoSkillit session logs (no real samples exist: the fields are those of its writer code,
// in SYSTEMS.md §2) and a repository holding its recipe and defaults, with a fixed seed; truth.json
// beside them says what a correct reader must find:
//   - per order and canonical step: sessions, the four token counts and seconds (the Token Usage
//     Summary the PR hook prints), and the orchestrator session that dispatched them;
//   - per step: the model it ran on, its sessions, successes and failures by subtype, and the change
//     a tuner should propose for its recipe line (or none).
//
// Each step is built to sit clearly on one side of a rule:
//   investigate  opus, nearly always succeeds            → model one rung down (sonnet)
//   implement    sonnet, often stops at error_max_turns  → a pilot one rung up (opus)
//   review       sonnet, a conditional model expression → nothing (named, left alone)
//   compose_pr   haiku (the defaults' model), succeeds   → nothing (already cheapest here)
//
// Half the orders are written with main's field set (step_name, timing_seconds), half with
// develop's (session_label, model_identifier, turn_count, duration_seconds, caller_session_id).
//
//   node scripts/generate-autoskillit.mjs --out DIR [--orders 80] [--end YYYY-MM-DD] [--seed 11]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    orders: { type: 'string', default: '80' },
    end: { type: 'string', default: new Date().toISOString().slice(0, 10) },
    seed: { type: 'string', default: '11' },
  },
});
if (!values.out) throw new Error('--out DIR is required');
const rand = rng(Number(values.seed));
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

// Each step: its model, how its sessions end (success rate; the failures' subtype), and the proposal.
const STEPS = {
  investigate: { model: 'claude-opus-5-5', success: 1, fail: 'error_during_execution', expect: { kind: 'model', from: 'claude-opus-5-5', to: 'claude-sonnet-5-5', direction: 'down' } },
  implement: { model: 'claude-sonnet-5-5', success: 0.5, fail: 'error_max_turns', expect: { kind: 'model', from: 'claude-sonnet-5-5', to: 'claude-opus-5-5', direction: 'up' } },
  review: { model: 'claude-sonnet-5-5', success: 1, fail: 'timeout', expect: null },
  compose_pr: { model: 'claude-haiku-5-5', success: 1, fail: 'timeout', expect: null },
};
const RECIPE = `# The remediation recipe: one run_skill step per stage.
name: remediation
steps:
  investigate:
    tool: run_skill
    model: opus        # deep reading of the failure
    with: { skill: investigate }
  implement:
    tool: run_skill
    model: sonnet
    with: { skill: implement }
  review:
    tool: run_skill
    model: '"opus[1m]" if deep else "sonnet"'   # deep reviews on the 1M-context Opus
    with: { skill: review }
  compose_pr:
    tool: run_skill
    with: { skill: compose_pr }
`;
const DEFAULTS = `# AutoSkillit defaults
model:
  default: haiku     # steps without their own model
  override: null
token_usage:
  verbosity: summary
`;

const logs = join(values.out, 'logs');
const repo = join(values.out, 'repo');
mkdirSync(join(logs, 'sessions'), { recursive: true });
mkdirSync(join(repo, 'recipes'), { recursive: true });
mkdirSync(join(repo, 'config'), { recursive: true });
writeFileSync(join(repo, 'recipes', 'remediation.yaml'), RECIPE);
writeFileSync(join(repo, 'config', 'defaults.yaml'), DEFAULTS);

const truth = { orders: {}, steps: {}, polled: 0 };
for (const [step, s] of Object.entries(STEPS)) truth.steps[step] = { model: s.model, sessions: 0, success: 0, failed: {}, expect: s.expect };
const endMs = Date.parse(`${values.end}T00:00:00Z`) - 86_400_000;
const n = Number(values.orders);
let seq = 0;
const index = [];
for (let o = 0; o < n; o++) {
  const develop = o % 2 === 1;
  const order = `${700 + o}`;
  // One orchestrator session runs two develop orders at once.
  const orchestrator = `orch-${values.seed}-${Math.floor(o / 4)}`;
  const t = (truth.orders[order] = { orchestrator: develop ? orchestrator : null, steps: {} });
  let ts = endMs - (o % 12) * 86_400_000 - int(1, 10) * 3_600_000;
  // An order runs each step once or more (implement again after a failure); repeats are `step-N`.
  const plan = ['investigate', 'implement', 'review', 'compose_pr'];
  for (let p = 0; p < plan.length; p++) {
    const step = plan[p];
    const s = STEPS[step];
    const tries = step === 'implement' ? int(1, 3) : step === 'review' ? int(1, 2) : 1;
    for (let k = 0; k < tries; k++) {
      const ok = rand() < s.success;
      const session = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
      const dir = `${new Date(ts).toISOString().slice(0, 19).replace(/[-:T]/g, '')}_${seq++}`;
      const label = k === 0 ? step : `${step}-${k + 1}`;
      const usage = { input: int(5, 6_000), output: int(2_000, 50_000), write: int(20_000, 160_000), read: int(100_000, 9_000_000) };
      const seconds = Math.round((int(60, 3_000) + rand()) * 1000) / 1000;
      const turns = int(10, 200);
      // Both field sets: main names the step, develop the session label and adds its own fields.
      const token = {
        [develop ? 'session_label' : 'step_name']: label,
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_creation_input_tokens: usage.write,
        cache_read_input_tokens: usage.read,
        timing_seconds: seconds,
        order_id: order,
        ...(develop ? { peak_context: int(20_000, 120_000), turn_count: turns, loc_insertions: int(0, 400), loc_deletions: int(0, 100), provider_used: 'anthropic', model_identifier: s.model } : {}),
      };
      mkdirSync(join(logs, 'sessions', dir), { recursive: true });
      writeFileSync(join(logs, 'sessions', dir, 'token_usage.json'), JSON.stringify(token));
      const subtype = ok ? 'success' : s.fail;
      const entry = {
        session_id: session,
        dir_name: dir,
        timestamp: new Date(ts).toISOString().replace('Z', '+00:00'),
        cwd: `/work/worktrees/${order}`,
        kitchen_id: `k-${order}`,
        order_id: order,
        claude_code_log: null,
        skill_command: `/autoskillit:${step} …`,
        success: ok,
        subtype,
        cli_subtype: subtype,
        exit_code: ok ? 0 : 1,
        snapshot_count: int(1, 40),
        anomaly_count: 0,
        peak_rss_kb: int(150_000, 220_000),
        peak_oom_score: 0,
        step_name: label,
        input_tokens: usage.input,
        output_tokens: usage.output,
        write_call_count: int(0, 30),
        tracked_comm: 'claude',
        tracked_comm_drift: false,
      };
      if (develop)
        Object.assign(entry, {
          campaign_id: null,
          dispatch_id: `d-${seq}`,
          cache_creation_input_tokens: usage.write,
          cache_read_input_tokens: usage.read,
          autoskillit_version: '0.10.0',
          claude_code_version: '2.1.0',
          recipe_name: 'remediation',
          duration_seconds: seconds,
          github_api_requests: int(0, 12),
          provider_used: 'anthropic',
          provider_fallback: false,
          caller_session_id: orchestrator,
        });
      // The first implement sessions of develop orders name their transcript: a polling loop of five
      // calls waits on the tests there (four of them waste, of the step implement).
      if (develop && step === 'implement' && k === 0 && truth.polled < 2) {
        const log = join(values.out, 'cc-logs', `${session}.jsonl`);
        mkdirSync(join(values.out, 'cc-logs'), { recursive: true });
        const lines = ['npm test > /tmp/t.log 2>&1 &', 'sleep 30', 'tail -n 20 /tmp/t.log', 'sleep 30', 'tail -n 20 /tmp/t.log', 'ps aux | grep vitest', 'git diff --stat'].map((command, r) =>
          JSON.stringify({
            sessionId: session,
            type: 'assistant',
            timestamp: new Date(ts + r * 30_000).toISOString(),
            message: {
              id: `msg_${session}_${r}`,
              model: s.model,
              role: 'assistant',
              content: [{ type: 'tool_use', id: `tu${r}`, name: 'Bash', input: { command } }],
              usage: { input_tokens: 5, output_tokens: 100, cache_creation_input_tokens: 200, cache_read_input_tokens: 30_000 + r * 1_000 },
            },
          }),
        );
        writeFileSync(log, lines.join('\n') + '\n');
        entry.claude_code_log = log;
        truth.polled++;
      }
      index.push(JSON.stringify(entry, Object.keys(entry).sort()));
      const st = (t.steps[step] ??= { sessions: 0, input: 0, output: 0, cache_creation: 0, cache_read: 0, seconds: 0 });
      st.sessions++;
      st.input += usage.input;
      st.output += usage.output;
      st.cache_creation += usage.write;
      st.cache_read += usage.read;
      st.seconds += seconds;
      const g = truth.steps[step];
      g.sessions++;
      if (ok) g.success++;
      else g.failed[subtype] = (g.failed[subtype] ?? 0) + 1;
      ts += Math.round(seconds * 1000) + int(5, 60) * 1000;
    }
  }
}
writeFileSync(join(logs, 'sessions.jsonl'), index.join('\n') + '\n');

// The orchestrators' own Claude Code transcripts: what they cost, and each order's share of it (its
// sessions over all the sessions the orchestrator dispatched).
const projects = join(values.out, 'claude', 'projects', '-work-kitchen');
mkdirSync(projects, { recursive: true });
truth.orchestrators = {};
for (const [order, t] of Object.entries(truth.orders)) {
  if (!t.orchestrator) continue;
  const o = (truth.orchestrators[t.orchestrator] ??= { orders: {}, input: 0, output: 0, cache_creation: 0, cache_read: 0 });
  o.orders[order] = Object.values(t.steps).reduce((a, s) => a + s.sessions, 0);
}
for (const [id, o] of Object.entries(truth.orchestrators)) {
  const lines = [];
  for (let r = 0; r < 20; r++) {
    const u = { input_tokens: int(1, 50), output_tokens: int(100, 2_000), cache_creation_input_tokens: int(500, 5_000), cache_read_input_tokens: int(15_000, 98_000) };
    o.input += u.input_tokens;
    o.output += u.output_tokens;
    o.cache_creation += u.cache_creation_input_tokens;
    o.cache_read += u.cache_read_input_tokens;
    lines.push(
      JSON.stringify({
        sessionId: id,
        type: 'assistant',
        timestamp: new Date(endMs - 3_600_000 + r * 60_000).toISOString(),
        requestId: `req_${id}_${r}`,
        message: { id: `msg_${id}_${r}`, model: 'claude-opus-5-5', role: 'assistant', content: [{ type: 'tool_use', id: `t${r}`, name: 'mcp__autoskillit__run_skill', input: {} }], usage: u },
      }),
    );
  }
  writeFileSync(join(projects, `${id}.jsonl`), lines.join('\n') + '\n');
}
writeFileSync(join(values.out, 'truth.json'), JSON.stringify(truth, null, 1));
process.stderr.write(`wrote ${index.length} sessions of ${n} orders to ${logs}\n`);
