#!/usr/bin/env node
// Generates a Codex CLI home (sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl) with a fixed seed, and
// truth.json beside it: the turns a correct reader counts, per UTC day and model, with their cost at
// list prices. The sessions have what Codex writes: session_meta, a turn_context before turns (the
// model can change mid-session), token_count events with the turn's and the session's usage, events
// with rate limits only (info null), a token_count repeated with an unchanged session total, a legacy
// session whose events carry only the session total, lines of messages and tool calls without usage,
// and a resumed session that copies an earlier session's lines into a new file.
//
//   node scripts/generate-codex.mjs --out DIR [--sessions 20] [--days 10] [--end 2026-11-20] [--seed 1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    sessions: { type: 'string', default: '20' },
    days: { type: 'string', default: '10' },
    end: { type: 'string', default: '2026-11-20' },
    seed: { type: 'string', default: '1' },
  },
});
if (!values.out) throw new Error('--out DIR is required');
const rand = rng(Number(values.seed));
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

// Per million tokens: input, cached input, output (reasoning is billed inside output).
const PRICES = { 'gpt-5-codex': [1.25, 0.125, 10], 'gpt-5.3-codex': [1.75, 0.175, 14], 'gpt-5': [1.25, 0.125, 10] };
const MODELS = Object.keys(PRICES);
const CWDS = ['/home/dev/src/api', '/home/dev/src/web-app'];
const endMs = Date.parse(`${values.end}T22:00:00Z`);
const truth = { turns: 0, days: {}, sessions: {}, cost: {} };

function count(session, ts, model, u) {
  const day = new Date(ts).toISOString().slice(0, 10);
  const m = ((truth.days[day] ??= {})[model] ??= { turns: 0, input: 0, cached: 0, output: 0 });
  m.turns++;
  m.input += u.input_tokens - u.cached_input_tokens;
  m.cached += u.cached_input_tokens;
  m.output += u.output_tokens;
  const p = PRICES[model];
  const cost = ((u.input_tokens - u.cached_input_tokens) * p[0] + u.cached_input_tokens * p[1] + u.output_tokens * p[2]) / 1e6;
  truth.cost[day] = (truth.cost[day] ?? 0) + cost;
  truth.sessions[session] = (truth.sessions[session] ?? 0) + cost;
  truth.turns++;
}

const line = (ts, type, payload) => JSON.stringify({ timestamp: new Date(ts).toISOString(), type, payload });
const files = [];
for (let s = 0; s < Number(values.sessions); s++) {
  const id = `${hex(8)}-${hex(4)}-7${hex(3)}-8${hex(3)}-${hex(12)}`;
  let ts = endMs - int(0, Number(values.days) - 1) * 86_400_000 - int(0, 20) * 3_600_000;
  const start = ts;
  const cwd = pick(CWDS);
  const legacy = s % 7 === 3;
  const lines = [line(ts, 'session_meta', { id, timestamp: new Date(ts).toISOString(), cwd, originator: 'codex_cli_rs', cli_version: '0.60.0', instructions: null })];
  let model = pick(MODELS);
  const total = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
  for (let t = 0, turns = int(2, 12); t < turns; t++) {
    ts += int(20, 400) * 1000;
    if (t === 0 || rand() < 0.15) {
      model = t === 0 ? model : pick(MODELS);
      lines.push(line(ts, 'turn_context', { cwd, approval_policy: 'on-request', sandbox_policy: { mode: 'workspace-write' }, model, effort: 'medium', summary: 'auto' }));
    }
    lines.push(line(ts, 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix the failing test' }] }));
    lines.push(line(ts + 500, 'response_item', { type: 'function_call', name: 'shell', arguments: '{"command":["rg","usage"]}', call_id: `call_${hex(8)}` }));
    const input = int(2_000, 60_000);
    const reasoning = int(0, 2_000);
    const u = { input_tokens: input, cached_input_tokens: int(0, input), output_tokens: int(50, 4_000) + reasoning, reasoning_output_tokens: reasoning };
    u.total_tokens = u.input_tokens + u.output_tokens;
    for (const k of Object.keys(total)) total[k] += u[k];
    ts += 1000;
    const info = legacy ? { total_token_usage: { ...total } } : { total_token_usage: { ...total }, last_token_usage: u, model_context_window: 272_000 };
    lines.push(line(ts, 'event_msg', { type: 'token_count', info, rate_limits: { primary: { used_percent: int(1, 90), window_minutes: 300 } } }));
    count(id, ts, model, u);
    // Only the rate limits moved, or the same usage said again: neither is a new turn.
    if (rand() < 0.3) lines.push(line(ts + 200, 'event_msg', { type: 'token_count', info: null, rate_limits: { primary: { used_percent: 50, window_minutes: 300 } } }));
    if (!legacy && rand() < 0.2) lines.push(line(ts + 300, 'event_msg', { type: 'token_count', info, rate_limits: { primary: { used_percent: 51, window_minutes: 300 } } }));
    lines.push(line(ts + 400, 'event_msg', { type: 'agent_message', message: 'Done.' }));
  }
  const d = new Date(start).toISOString();
  const dir = join(values.out, 'sessions', d.slice(0, 4), d.slice(5, 7), d.slice(8, 10));
  const name = `rollout-${d.slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`;
  files.push({ dir, name, lines });
}
// A resumed session: Codex starts a new file that begins with the old session's lines.
const resumed = files[0];
files.push({ dir: resumed.dir, name: resumed.name.replace('rollout-', 'rollout-resumed-'), lines: [...resumed.lines] });
for (const f of files) {
  mkdirSync(f.dir, { recursive: true });
  writeFileSync(join(f.dir, f.name), `${f.lines.join('\n')}\n`);
}
writeFileSync(join(values.out, 'truth.json'), JSON.stringify(truth, null, 1));
process.stderr.write(`wrote ${truth.turns} turns in ${files.length} files to ${values.out}\n`);
