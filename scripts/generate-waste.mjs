#!/usr/bin/env node
// Generates Claude Code transcripts with waste planted at known sizes in an otherwise clean corpus,
// and truth.json: per kind of waste, the cases, calls, tokens and dollars a correct detector reports,
// and what the orchestrators (sessions that dispatch subagents) cost themselves.
//
// Clean sessions act in every call (text and tool use in one response), read each file once, edit
// something, start small and get small results. Each planted kind lives in a session of its own that
// is otherwise clean, so the kinds never overlap:
//   narration        text-only calls, each followed by a call that uses a tool
//   thinking_only    thinking-only calls, likewise
//   rereads          one path read four times (three wasted calls)
//   polling          five consecutive sleep/tail/ps calls (four wasted)
//   carried_results  a 40,000-character subagent report, re-sent by every later call
//   heavy_start      four short sessions whose first call sends 60K tokens
//   no_edit_sessions two sessions that only read
//
//   node scripts/generate-waste.mjs --out DIR [--clean 30] [--seed 3] [--end YYYY-MM-DD] [--size-mb N]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    clean: { type: 'string', default: '30' },
    seed: { type: 'string', default: '3' },
    end: { type: 'string', default: new Date().toISOString().slice(0, 10) },
    'size-mb': { type: 'string' },
  },
});
if (!values.out) throw new Error('--out DIR is required');
const rand = rng(Number(values.seed));
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const MODEL = 'claude-sonnet-4-5-20250929';
// Sonnet 4.5 per token: input, output, 5-minute cache write, cache read (all contexts stay under 200K).
const P = { input: 3e-6, output: 15e-6, write: 3.75e-6, read: 0.3e-6 };
const cost = (u) => u.input_tokens * P.input + u.output_tokens * P.output + u.cache_creation_input_tokens * P.write + u.cache_read_input_tokens * P.read;
const tokens = (u) => u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;

const project = join(values.out, 'projects', '-home-dev-repo');
mkdirSync(project, { recursive: true });
const endMs = Date.parse(`${values.end}T00:00:00Z`) - 86_400_000;
const truth = { kinds: {}, orchestrator: { sessions: 0, calls: 0, usd: 0 }, calls: 0, usd: 0 };
const plant = (kind, calls, usages) => {
  const k = (truth.kinds[kind] ??= { occurrences: 0, calls: 0, tokens: 0, usd: 0 });
  k.occurrences++;
  k.calls += calls;
  for (const u of usages) {
    k.tokens += typeof u === 'number' ? u : tokens(u);
    k.usd += typeof u === 'number' ? 0 : cost(u);
  }
};

let seq = 0;
let written = 0;
/** A session writer: each call grows the context; `call` returns the usage it wrote. */
function session(name, { first = int(8_000, 15_000), sidechain = false, agentId } = {}) {
  const lines = [];
  let ts = endMs - int(0, 10) * 86_400_000 + int(0, 80_000) * 1000;
  let ctx = first;
  let calls = 0;
  let usd = 0;
  const base = () => ({
    sessionId: name,
    cwd: '/home/dev/repo',
    version: '2.1.0',
    gitBranch: 'main',
    isSidechain: sidechain,
    ...(agentId ? { agentId } : {}),
    timestamp: new Date((ts += int(2, 20) * 1000)).toISOString(),
  });
  const s = {
    /** One response: content blocks, the context it sends, and the context it adds after. */
    call(content, grow = int(300, 1_500)) {
      const id = `msg_${values.seed}_${seq++}`;
      const u =
        calls === 0
          ? { input_tokens: 3, output_tokens: int(50, 400), cache_creation_input_tokens: ctx, cache_read_input_tokens: 0 }
          : { input_tokens: int(1, 9), output_tokens: int(50, 400), cache_creation_input_tokens: int(100, 900), cache_read_input_tokens: ctx };
      lines.push({ ...base(), type: 'assistant', requestId: `req_${id}`, message: { id, type: 'message', role: 'assistant', model: MODEL, content, stop_reason: 'tool_use', usage: u } });
      ctx += u.cache_creation_input_tokens + grow;
      calls++;
      usd += cost(u);
      truth.calls++;
      truth.usd += cost(u);
      return u;
    },
    result(toolUseId, text, extra = {}) {
      lines.push({ ...base(), type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: text }] }, ...extra });
    },
    prompt(text) {
      lines.push({ ...base(), type: 'user', message: { role: 'user', content: text } });
    },
    /** A clean step: say and act in one response, then the tool's small result. */
    act(name, input, result = 'ok') {
      const id = `toolu_${values.seed}_${seq}`;
      const u = s.call([
        { type: 'text', text: 'Next step.' },
        { type: 'tool_use', id, name, input },
      ]);
      s.result(id, result);
      return u;
    },
    write(file) {
      const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
      writeFileSync(file, text);
      written += text.length;
    },
    get calls() {
      return calls;
    },
    get usd() {
      return usd;
    },
  };
  return s;
}

/** A clean session's body: reads of distinct files, a search, an edit, a test run. */
function cleanBody(s, n, tag) {
  s.prompt('Please fix the bug.');
  for (let i = 0; i < n; i++) {
    const pick = i % 4;
    if (pick === 0) s.act('Read', { file_path: `/home/dev/repo/src/${tag}-${i}.ts` });
    else if (pick === 1) s.act('Grep', { pattern: `fn${i}` });
    else if (pick === 2) s.act('Edit', { file_path: `/home/dev/repo/src/${tag}-${i}.ts`, old_string: 'a', new_string: 'b' });
    else s.act('Bash', { command: `npm test -- ${tag}` });
  }
}

const file = (name) => join(project, `${name}.jsonl`);
const cleanCount = Number(values.clean);
const target = values['size-mb'] ? Number(values['size-mb']) * 1e6 : 0;
for (let c = 0; target ? written < target : c < cleanCount; c++) {
  const s = session(`clean-${values.seed}-${c}`);
  cleanBody(s, int(6, 30), `c${c}`);
  s.write(file(`clean-${values.seed}-${c}`));
}

// Narration and thinking: in their own sessions, each planted call followed by a call that acts.
for (const [kind, block] of [
  ['narration', () => ({ type: 'text', text: 'Let me now look at the next file.' })],
  ['thinking_only', () => ({ type: 'thinking', thinking: 'z', signature: 's' })],
]) {
  const name = `${kind}-${values.seed}`;
  const s = session(name);
  cleanBody(s, 4, kind);
  const planted = [];
  for (let i = 0; i < 6; i++) {
    planted.push(s.call([block()], 0));
    s.act('Read', { file_path: `/home/dev/repo/${kind}/${i}.ts` });
  }
  s.act('Edit', { file_path: '/home/dev/repo/x.ts', old_string: 'a', new_string: 'b' });
  plant(kind, planted.length, planted);
  s.write(file(name));
}

// One path read four times: every read after the first is waste.
{
  const s = session(`rereads-${values.seed}`);
  cleanBody(s, 4, 'rr');
  const reads = [];
  for (let i = 0; i < 4; i++) {
    reads.push(s.act('Read', { file_path: '/home/dev/repo/src/app.py' }));
    s.act('Edit', { file_path: '/home/dev/repo/src/app.py', old_string: `a${i}`, new_string: `b${i}` });
  }
  plant('rereads', 3, reads.slice(1));
  s.write(file(`rereads-${values.seed}`));
}

// A polling loop of five calls waiting on one test run.
{
  const s = session(`polling-${values.seed}`);
  cleanBody(s, 4, 'poll');
  const polls = ['sleep 60 && tail -n 20 /tmp/pytest.log', 'tail -n 20 /tmp/pytest.log', 'ps aux | grep pytest', 'sleep 60', 'tail -n 50 /tmp/pytest.log'].map((command) => s.act('Bash', { command }));
  s.act('Edit', { file_path: '/home/dev/repo/y.ts', old_string: 'a', new_string: 'b' });
  plant('polling', 4, polls.slice(1));
  s.write(file(`polling-${values.seed}`));
}

// A subagent's 40,000-character report, re-sent by every later call of its parent; the parent is an orchestrator.
{
  const name = `carried-${values.seed}`;
  const s = session(name);
  cleanBody(s, 4, 'carry');
  const agentId = `w${values.seed}`;
  const taskId = `toolu_task_${values.seed}`;
  s.call([{ type: 'tool_use', id: taskId, name: 'Task', input: { subagent_type: 'Explore', description: 'survey the input() calls', prompt: 'z' } }]);
  const sub = session(name, { sidechain: true, agentId });
  cleanBody(sub, 5, 'sub');
  mkdirSync(join(project, name, 'subagents'), { recursive: true });
  sub.write(join(project, name, 'subagents', `agent-${agentId}.jsonl`));
  const chars = 40_000;
  s.result(taskId, [{ type: 'text', text: 'r'.repeat(chars) }], { toolUseResult: { status: 'completed', agentId, agentType: 'Explore', totalDurationMs: 60_000 } });
  const later = 8;
  for (let i = 0; i < later; i++) s.act(i % 2 ? 'Edit' : 'Read', { file_path: `/home/dev/repo/c/${i}.ts`, old_string: 'a', new_string: 'b' });
  plant('carried_results', later, [(chars / 4) * later]);
  truth.kinds.carried_results.usd += (chars / 4) * later * P.read;
  truth.orchestrator.sessions++;
  truth.orchestrator.calls += s.calls;
  truth.orchestrator.usd += s.usd;
  s.write(file(name));
}

// Four short sessions that start heavy: each first call writes 60K tokens of context to the cache.
for (let i = 0; i < 4; i++) {
  const name = `heavy-${values.seed}-${i}`;
  const s = session(name, { first: 60_000 });
  s.prompt('Quick question.');
  const first = s.act('Edit', { file_path: '/home/dev/repo/z.ts', old_string: 'a', new_string: 'b' });
  s.act('Bash', { command: 'npm test' });
  plant('heavy_start', 1, [{ ...first, output_tokens: 0 }]);
  s.write(file(name));
}

// Two sessions that only read: every call of theirs.
for (let i = 0; i < 2; i++) {
  const name = `noedit-${values.seed}-${i}`;
  const s = session(name);
  s.prompt('Where is the config loaded?');
  const calls = [];
  for (let k = 0; k < 6; k++) calls.push(k % 2 ? s.act('Grep', { pattern: `load${k}` }) : s.act('Read', { file_path: `/home/dev/repo/cfg/${i}-${k}.ts` }));
  plant('no_edit_sessions', 6, calls);
  s.write(file(name));
}

writeFileSync(join(values.out, 'truth.json'), JSON.stringify(truth, null, 1));
process.stderr.write(`wrote ${truth.calls} calls, ${(written / 1e6).toFixed(1)} MB, to ${values.out}\n`);
