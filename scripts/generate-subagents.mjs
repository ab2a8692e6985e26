#!/usr/bin/env node
// Generates a repository of Claude Code subagents (.claude/agents/*.md) and the transcripts of their
// runs, with a fixed seed, and truth.json: per subagent type, how its runs ended (success, failure,
// interrupted, dispatched again by the parent), its failed tool calls and turns, and the one change a
// correct tuner proposes for it (or none). Each type is built to sit clearly on one side of a rule:
//
//   reviewer   sonnet, nearly always succeeds            → model one rung down
//   explorer   haiku (the cheapest rung), effort high     → effort one level down
//   planner    sonnet, fails or is re-dispatched often    → a pilot one rung up
//   builder    opus, middling success, maxTurns far above its turns → maxTurns cut
//   helper     inherit, runs on two models                → nothing (no model in nine of ten)
//   Explore    built in, no file                          → nothing proposed (reported only)
//
//   node scripts/generate-subagents.mjs --out DIR [--end YYYY-MM-DD] [--days 14] [--seed 7] [--after]
//
// DIR/repo holds the agent files, DIR/claude/projects the transcripts, DIR/truth.json the truth.
// --after adds (with another --seed and a later --end) the runs of the weeks after those changes
// were merged, and DIR/truth-after.json the verdict each change's outcome must get: the reviewer
// fails on Haiku (reverted), the others hold.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    end: { type: 'string', default: new Date().toISOString().slice(0, 10) },
    days: { type: 'string', default: '14' },
    seed: { type: 'string', default: '7' },
    after: { type: 'boolean', default: false },
  },
});
if (!values.out) throw new Error('--out DIR is required');

const rand = rng(Number(values.seed));
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const shuffle = (xs) => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};

// Each type: its file (none for a built-in), the models its runs use, and how many runs end each way.
// `again` runs completed but their parent dispatched the same work again afterwards.
const BEFORE = {
  reviewer: {
    file: 'model: sonnet',
    models: ['claude-sonnet-5-5'],
    success: 118,
    failed: 1,
    again: 0,
    interrupted: 3,
    turns: [3, 8],
    expect: { kind: 'model', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5', direction: 'down' },
  },
  explorer: {
    file: 'model: haiku\neffort: high',
    models: ['claude-haiku-5-5'],
    success: 100,
    failed: 0,
    again: 0,
    interrupted: 0,
    turns: [2, 6],
    expect: { kind: 'effort', from: 'high', to: 'medium', direction: 'down' },
  },
  planner: {
    file: 'model: sonnet',
    models: ['claude-sonnet-5-5'],
    success: 24,
    failed: 24,
    again: 12,
    interrupted: 2,
    turns: [4, 12],
    expect: { kind: 'model', from: 'claude-sonnet-5-5', to: 'claude-opus-5-5', direction: 'up' },
  },
  builder: {
    file: 'model: opus\nmaxTurns: 60',
    models: ['claude-opus-5-5'],
    success: 68,
    failed: 12,
    again: 0,
    interrupted: 0,
    turns: [4, 10],
    expect: { kind: 'turn_budget', from: 60, to: 30, direction: 'down' },
  },
  helper: { file: 'model: inherit', models: ['claude-sonnet-5-5', 'claude-opus-5-5'], success: 50, failed: 0, again: 0, interrupted: 0, turns: [2, 5], expect: null },
  Explore: { file: null, models: ['claude-haiku-4-5'], success: 40, failed: 0, again: 0, interrupted: 0, turns: [2, 4], expect: null },
};
// --after: the weeks after those changes were merged, and how each one's outcome reads.
const AFTER = {
  reviewer: { ...BEFORE.reviewer, models: ['claude-haiku-4-5'], success: 70, failed: 30, interrupted: 0, expect: { verdict: 'worse', revert_to: 'claude-sonnet-5-5' } },
  explorer: { ...BEFORE.explorer, expect: { verdict: 'confirmed' } },
  planner: { ...BEFORE.planner, models: ['claude-opus-5-5'], success: 54, failed: 6, again: 0, interrupted: 0, expect: { verdict: 'confirmed' } },
  builder: { ...BEFORE.builder, expect: { verdict: 'confirmed' } },
  helper: BEFORE.helper,
  Explore: BEFORE.Explore,
};
const TYPES = values.after ? AFTER : BEFORE;

const endMs = Date.parse(`${values.end}T12:00:00Z`);
const days = Number(values.days);
const repo = join(values.out, 'repo');
const project = join(values.out, 'claude', 'projects', '-home-dev-app');
mkdirSync(join(repo, '.claude', 'agents'), { recursive: true });
for (const [name, t] of Object.entries(TYPES)) {
  if (t.file && !values.after)
    writeFileSync(
      join(repo, '.claude', 'agents', `${name}.md`),
      `---\nname: ${name}\ndescription: the ${name} of this repository\n${t.file}\n---\n\nYou are the ${name}. Do the work you are given and report back.\n`,
    );
}

const truth = { types: {} };
// Every run to write: its type, how it ends, its model; re-dispatched ones get a second run of the same work.
const planned = [];
for (const [type, t] of Object.entries(TYPES)) {
  truth.types[type] = { invocations: 0, success: 0, failed: 0, interrupted: 0, redispatched: 0, tool_errors: 0, turns: [], expect: t.expect };
  const ends = [...Array(t.success).fill('success'), ...Array(t.failed).fill('failed'), ...Array(t.again).fill('again'), ...Array(t.interrupted).fill('interrupted')];
  shuffle(ends).forEach((end, i) => planned.push({ type, end, model: t.models[i % t.models.length], turns: t.turns }));
}
shuffle(planned);

// Sessions of about a dozen runs each, spread over the days before --end.
let seq = 0;
const sessions = [];
for (let i = 0; i < planned.length; i += 12) sessions.push(planned.slice(i, i + 12));
const line = (session, o) => JSON.stringify({ sessionId: session, cwd: '/home/dev/app', version: '2.1.0', gitBranch: 'main', userType: 'external', ...o });
const usage = (input, output) => ({ input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: int(0, 20_000) });

sessions.forEach((runs, s) => {
  const session = `sess-${values.seed}-${s}`;
  // Each session in the days before --end, none later than the day before it: no run is in the future.
  let ts = endMs - ((s % days) + 1) * 86_400_000 - int(0, 8) * 3_600_000;
  const parent = [];
  const at = () => new Date((ts += int(2, 30) * 1000)).toISOString();
  const dispatch = (run, description, end) => {
    const k = truth.types[run.type];
    const toolUseId = `toolu_${values.seed}_${seq}`;
    const agentId = `a${values.seed}x${seq}`;
    seq++;
    parent.push(
      line(session, {
        type: 'assistant',
        timestamp: at(),
        requestId: `req_p${seq}`,
        message: {
          id: `msg_p${seq}`,
          model: 'claude-opus-5-5',
          role: 'assistant',
          content: [{ type: 'tool_use', id: toolUseId, name: 'Task', input: { subagent_type: run.type, description, prompt: 'z' } }],
          usage: usage(200, 40),
        },
      }),
    );
    // The subagent's own transcript: its responses (its turns), and tool results, some of them errors.
    const turns = int(run.turns[0], run.turns[1]);
    const sub = [];
    for (let r = 0; r < turns; r++) {
      sub.push(
        line(session, {
          type: 'assistant',
          isSidechain: true,
          agentId,
          timestamp: at(),
          requestId: `req_s${seq}_${r}`,
          message: {
            id: `msg_s${seq}_${r}`,
            model: run.model,
            role: 'assistant',
            content: [{ type: 'tool_use', id: `tu_${seq}_${r}`, name: 'Read', input: {} }],
            usage: usage(int(500, 4_000), int(100, 1_500)),
          },
        }),
      );
      const failedTool = rand() < 0.1;
      if (failedTool) k.tool_errors++;
      sub.push(
        line(session, {
          type: 'user',
          isSidechain: true,
          agentId,
          timestamp: at(),
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `tu_${seq}_${r}`, is_error: failedTool, content: failedTool ? 'File does not exist.' : 'ok' }] },
        }),
      );
    }
    mkdirSync(join(project, session, 'subagents'), { recursive: true });
    writeFileSync(join(project, session, 'subagents', `agent-${agentId}.jsonl`), sub.join('\n') + '\n');
    // How the parent's Task call ended.
    const interrupted = end === 'interrupted';
    const result = {
      status: end === 'failed' ? 'failed' : 'completed',
      agentId,
      agentType: run.type,
      totalDurationMs: turns * 20_000,
      totalToolUseCount: turns,
      content: [{ type: 'text', text: 'z' }],
    };
    parent.push(
      line(session, {
        type: 'user',
        timestamp: at(),
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, is_error: interrupted, content: interrupted ? '[Request interrupted by user for tool use]' : 'z' }] },
        toolUseResult: result,
      }),
    );
    k.invocations++;
    k[end === 'again' ? 'redispatched' : end]++;
    if (end !== 'interrupted') k.turns.push(turns);
  };
  runs.forEach((run, i) => {
    const description = `${run.type} task ${s}-${i}`;
    dispatch(run, description, run.end);
    // The same work asked again, which then succeeds.
    if (run.end === 'again') dispatch(run, description, 'success');
  });
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, `${session}.jsonl`), parent.join('\n') + '\n');
});

writeFileSync(join(values.out, values.after ? 'truth-after.json' : 'truth.json'), JSON.stringify(truth, null, 1));
process.stderr.write(`wrote ${seq} subagent runs in ${sessions.length} sessions to ${values.out}\n`);
