#!/usr/bin/env node
// Generates a Claude Code corpus (projects/**/*.jsonl) with a fixed seed, and truth.json beside it:
// what a correct reader must count, per UTC day and model. The corpus has what real transcripts have:
// responses streamed over several lines (earlier ones with a partial output_tokens), resumed sessions
// that copy earlier responses into a new file, subagent transcripts (sidechains), a subagent response
// also copied into the main chain, 1-hour cache writes, synthetic API-error lines, nulls, and lines
// without usage (prompts, tool results). Subagents are started by the parent's Task calls; the type
// asked for is joined to the subagent by the call's result (which newer versions make name the type
// too) or by the subagent's progress lines, whose relayed copies of its responses count once.
//
//   node scripts/generate-claude-code.mjs --out DIR [--sessions 40] [--days 14] [--end 2026-11-20] [--seed 1]
//        [--size-mb N]   (grows --sessions until about N MB are written, for benchmarks)
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    sessions: { type: 'string', default: '40' },
    days: { type: 'string', default: '14' },
    end: { type: 'string', default: '2026-11-20' },
    seed: { type: 'string', default: '1' },
    'size-mb': { type: 'string' },
  },
});
if (!values.out) throw new Error('--out DIR is required');

const rand = rng(Number(values.seed));
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001'];
const PROJECTS = ['/home/dev/src/api', '/home/dev/src/web-app', '/srv/build/pipeline.v2'];
const endMs = Date.parse(`${values.end}T23:00:00Z`);
const days = Number(values.days);
// List prices per million tokens: input, output, 5-minute write, 1-hour write, read; and the tier for
// requests whose input side is over 200K tokens, where the model has one.
const PRICES = {
  'claude-sonnet-4-5-20250929': { base: [3, 15, 3.75, 6, 0.3], long: [6, 22.5, 7.5, 12, 0.6] },
  'claude-opus-4-5-20251101': { base: [5, 25, 6.25, 10, 0.5] },
  'claude-haiku-4-5-20251001': { base: [1, 5, 1.25, 2, 0.1] },
};
function costOf(model, u) {
  const write1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const side = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
  const p = side > 200_000 && PRICES[model].long ? PRICES[model].long : PRICES[model].base;
  return (u.input_tokens * p[0] + u.output_tokens * p[1] + (u.cache_creation_input_tokens - write1h) * p[2] + write1h * p[3] + u.cache_read_input_tokens * p[4]) / 1e6;
}
const AGENT_TYPES = ['general-purpose', 'Explore', 'code-reviewer'];
const truth = { responses: 0, days: {}, agents: {}, cost: { calculate: {}, auto: {} } };
const count = (ts, model, u, reported, agent = 'main') => {
  const a = (truth.agents[agent] ??= { responses: 0, input: 0, output: 0, cache_creation: 0, cache_read: 0 });
  a.responses++;
  a.input += u.input_tokens;
  a.output += u.output_tokens;
  a.cache_creation += u.cache_creation_input_tokens;
  a.cache_read += u.cache_read_input_tokens;
  const costDay = new Date(ts).toISOString().slice(0, 10);
  const c = costOf(model, u);
  truth.cost.calculate[costDay] = (truth.cost.calculate[costDay] ?? 0) + c;
  truth.cost.auto[costDay] = (truth.cost.auto[costDay] ?? 0) + (reported ?? c);
  const day = new Date(ts).toISOString().slice(0, 10);
  const d = (truth.days[day] ??= {});
  const m = (d[model] ??= { responses: 0, input: 0, output: 0, cache_creation: 0, cache_creation_1h: 0, cache_read: 0 });
  m.responses++;
  m.input += u.input_tokens;
  m.output += u.output_tokens;
  m.cache_creation += u.cache_creation_input_tokens;
  m.cache_creation_1h += u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  m.cache_read += u.cache_read_input_tokens;
  truth.responses++;
};

const encode = (cwd) => cwd.replace(/[/.]/g, '-');
let written = 0;
let seq = 0;

/** One response as the lines Claude Code writes for it: one per content block, the last with the final usage. */
function responseLines(ctx, ts, model, sidechain, lastBlock) {
  seq++;
  const write = int(0, 4000);
  const oneHour = rand() < 0.1 ? int(0, write) : 0;
  const usage = {
    input_tokens: int(1, 40),
    cache_creation_input_tokens: write,
    // One response in fifty reads a long context: over 200K tokens on its input side.
    cache_read_input_tokens: rand() < 0.02 ? int(200_000, 400_000) : int(0, 120_000),
    cache_creation: { ephemeral_5m_input_tokens: write - oneHour, ephemeral_1h_input_tokens: oneHour },
    output_tokens: int(1, 3000),
    service_tier: 'standard',
  };
  const id = `msg_${values.seed}_${seq}`;
  const requestId = `req_${values.seed}_${seq}`;
  const blocks = int(1, 3);
  const lines = [];
  for (let b = 0; b < blocks; b++) {
    const last = b === blocks - 1;
    const u = last ? usage : { ...usage, output_tokens: int(1, usage.output_tokens) };
    lines.push({
      parentUuid: uuid(),
      isSidechain: sidechain,
      userType: 'external',
      cwd: ctx.cwd,
      sessionId: ctx.session,
      version: '2.0.31',
      gitBranch: 'main',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [last && lastBlock ? lastBlock : { type: 'text', text: 'x'.repeat(int(20, 400)) }],
        stop_reason: last ? 'end_turn' : null,
        stop_sequence: null,
        usage: u,
      },
      requestId,
      type: 'assistant',
      uuid: uuid(),
      timestamp: new Date(ts + b * 50).toISOString(),
    });
  }
  return { lines, final: lines[lines.length - 1], usage, id };
}

function userLine(ctx, ts) {
  return {
    parentUuid: null,
    isSidechain: false,
    userType: 'external',
    cwd: ctx.cwd,
    sessionId: ctx.session,
    version: '2.0.31',
    gitBranch: 'main',
    type: 'user',
    message: { role: 'user', content: 'y'.repeat(int(50, 2000)) },
    uuid: uuid(),
    timestamp: new Date(ts).toISOString(),
  };
}

function writeSession(previousFinals) {
  const cwd = pick(PROJECTS);
  const ctx = { cwd, session: uuid() };
  const dir = join(values.out, 'projects', encode(cwd));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${ctx.session}.jsonl`);
  let ts = endMs - int(0, days - 1) * 86_400_000 - int(0, 20) * 3_600_000;
  const out = [];
  // A resumed session starts with copies of the previous session's responses: counted already.
  if (previousFinals.length && rand() < 0.3) for (const f of previousFinals.slice(0, int(1, previousFinals.length))) out.push(f);
  const finals = [];
  const model = pick(MODELS);
  for (let r = int(5, 40); r > 0; r--) {
    ts += int(5, 90) * 1000;
    out.push(userLine(ctx, ts));
    const resp = responseLines(ctx, ts, model, false);
    // Old Claude Code versions wrote their own cost on each line: `--mode auto` takes it.
    const reported = rand() < 0.03 ? Math.round(rand() * 1e4) / 1e4 : undefined;
    if (reported !== undefined) for (const l of resp.lines) l.costUSD = reported;
    out.push(...resp.lines);
    finals.push(resp.final);
    count(ts + (resp.lines.length - 1) * 50, model, resp.usage, reported);
    if (rand() < 0.05) {
      // An API error: a synthetic line with usage that counts nothing.
      out.push({
        ...userLine(ctx, ts + 10),
        type: 'assistant',
        isApiErrorMessage: true,
        message: {
          id: `msg_err_${seq}`,
          model: '<synthetic>',
          role: 'assistant',
          content: [{ type: 'text', text: 'API Error' }],
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      });
    }
    if (rand() < 0.05) {
      // Nulls where optional fields are: read, not dropped.
      const resp2 = responseLines(ctx, ts + 20, model, false);
      const l = resp2.final;
      l.costUSD = null;
      l.cwd = null;
      l.requestId = null;
      l.message.usage = { ...l.message.usage, cache_read_input_tokens: null, cache_creation: null };
      const u = { ...resp2.usage, cache_read_input_tokens: 0, cache_creation: undefined };
      out.push(l);
      count(Date.parse(l.timestamp), model, u);
    }
  }
  if (rand() < 0.4) {
    // The parent calls its Task tool (a main-chain response), and a subagent runs in its own transcript.
    const agentId = hex(17);
    const type = pick(AGENT_TYPES);
    const toolUseId = `toolu_${values.seed}_${seq}`;
    ts += int(5, 60) * 1000;
    const call = responseLines(ctx, ts, model, false, { type: 'tool_use', id: toolUseId, name: 'Task', input: { subagent_type: type, description: 'look around', prompt: 'z'.repeat(int(20, 200)) } });
    out.push(...call.lines);
    count(ts + (call.lines.length - 1) * 50, model, call.usage);
    // How the parent ends the call: a result naming the type (newer versions), a result naming only
    // the agent (older ones), or none (interrupted), where only progress lines, if any, join the two.
    const ending = pick(['typed', 'typed', 'untyped', 'none']);
    const progress = rand() < 0.5;
    const label = ending !== 'none' || progress ? type : 'subagent';
    // Older versions name the agent only in the file's name.
    const named = rand() < 0.8;
    const agentFile = join(dir, ctx.session, 'subagents', `agent-${agentId}.jsonl`);
    mkdirSync(join(dir, ctx.session, 'subagents'), { recursive: true });
    const sub = [];
    const subModel = pick(MODELS);
    for (let r = int(2, 10); r > 0; r--) {
      ts += int(5, 60) * 1000;
      const resp = responseLines(ctx, ts, subModel, true);
      if (named) for (const l of resp.lines) l.agentId = agentId;
      sub.push(...resp.lines);
      // One response is also copied into the main chain, where it counts (once) as the main chain's.
      const copied = r === 1 && rand() < 0.5;
      count(ts + (resp.lines.length - 1) * 50, subModel, resp.usage, undefined, copied ? 'main' : label);
      if (copied) out.push({ ...resp.final, isSidechain: false, requestId: `req_main_${seq}` });
      if (progress) {
        const f = resp.final;
        out.push({
          parentUuid: uuid(),
          isSidechain: false,
          userType: 'external',
          cwd: ctx.cwd,
          sessionId: ctx.session,
          version: '2.0.31',
          gitBranch: 'main',
          type: 'progress',
          parentToolUseID: toolUseId,
          toolUseID: `agent_msg_${seq}`,
          data: { type: 'agent_progress', agentId, prompt: 'z', message: { type: 'assistant', message: f.message, uuid: f.uuid, timestamp: f.timestamp } },
          uuid: uuid(),
          timestamp: f.timestamp,
        });
      }
    }
    const text = sub.map((l) => JSON.stringify(l)).join('\n') + '\n';
    writeFileSync(agentFile, text);
    written += text.length;
    if (ending !== 'none') {
      const result = {
        status: 'completed',
        prompt: 'z',
        agentId,
        content: [{ type: 'text', text: 'done' }],
        totalDurationMs: int(1000, 90_000),
        totalTokens: int(1000, 90_000),
        totalToolUseCount: int(0, 20),
      };
      if (ending === 'typed') result.agentType = type;
      out.push({
        ...userLine(ctx, ts + 1000),
        message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content: [{ type: 'text', text: 'done' }] }] },
        toolUseResult: result,
      });
    }
  }
  const text = out.map((l) => JSON.stringify(l)).join('\n') + '\n';
  appendFileSync(file, text);
  written += text.length;
  return finals;
}

mkdirSync(values.out, { recursive: true });
let finals = [];
const target = values['size-mb'] ? Number(values['size-mb']) * 1e6 : 0;
for (let s = 0; target ? written < target : s < Number(values.sessions); s++) finals = writeSession(finals);
writeFileSync(join(values.out, 'truth.json'), JSON.stringify(truth, null, 1));
process.stderr.write(`wrote ${truth.responses} responses to ${values.out}\n`);
