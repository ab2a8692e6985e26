import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import type { AppendLinesAdapter, LineResult } from './api.js';
import { count, isoTimestampMs, object, text, timestamp } from './parse.js';
import type { AgentLink, CallRecord, TelemetryRecord } from './records.js';

/**
 * Claude Code transcripts: `projects/<encoded cwd>/<session>.jsonl`, and subagents' transcripts in
 * `<session>/subagents/`. A line with `message.usage` is one piece of an API response; a streamed
 * response is written on several lines (the earlier ones may carry a partial `output_tokens`), and a
 * resumed session copies earlier responses into its new file. Each response counts once, under its
 * `message.id`: the main conversation's copy over a subagent's, then the copy with the most tokens.
 * Only counts, ids, names and timestamps are kept (and a digest of a Task call's description): no
 * prompt, answer, tool input or output.
 */

/** The project a transcript belongs to: the directory right under `projects/`. */
export function projectOf(file: string): string | undefined {
  // Asked once per response, for the lines of one file after another.
  if (file === lastFile) return lastProject;
  const parts = file.split(sep);
  const at = parts.lastIndexOf('projects');
  lastFile = file;
  lastProject = at !== -1 && at + 2 < parts.length ? parts[at + 1] : undefined;
  return lastProject;
}
let lastFile: string | undefined;
let lastProject: string | undefined;

export function parseClaudeCodeLine(line: string, file: string): LineResult {
  // Most lines are prompts, tool results and text: no usage, no subagent to join, no parse.
  if (!line.includes('"usage"') && !line.includes('"is_error":true') && !(line.includes('"agentId"') && (line.includes('"toolUseResult"') || line.includes('"agent_progress"'))))
    return { records: [] };
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { error: 'not JSON' };
  }
  const links: AgentLink[] = [];
  const records: CallRecord[] = [];
  const m = object(j['message']);
  const stamp = j['timestamp'];
  const ts = typeof stamp === 'string' ? isoTimestampMs(stamp) : NaN;
  const result = object(j['toolUseResult']);
  if (result && typeof result['agentId'] === 'string') {
    // The end of a Task call: its tool-use id, the agent that ran it, and (in newer versions) its type.
    const call = Array.isArray(m?.['content']) ? (m['content'] as unknown[]).map(object).find((b) => b?.['type'] === 'tool_result') : undefined;
    // A run that completed is a success; any other status, or a result marked as an error (an
    // interrupted or refused call), a failure; no status says nothing.
    // A run the user interrupted has no outcome: it is counted apart, as neither.
    const status = text(result['status']);
    const interrupted = status === 'interrupted' || (call?.['is_error'] === true && /interrupted/i.test(contentText(call['content'])));
    const outcome = interrupted ? undefined : call?.['is_error'] === true ? 'failed' : status === undefined ? undefined : status === 'completed' ? 'success' : 'failed';
    const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
    links.push({
      ts,
      agent_id: result['agentId'],
      tool_use_id: text(call?.['tool_use_id']),
      agent_type: text(result['agentType']),
      outcome,
      duration_ms: number(result['totalDurationMs']),
      tool_uses: number(result['totalToolUseCount']),
      ...(interrupted ? { interrupted } : {}),
    });
  } else if (j['isSidechain'] === true && m && Array.isArray(m['content'])) {
    // A subagent's tool calls that failed, counted against the subagent.
    const errors = (m['content'] as unknown[]).map(object).filter((b) => b?.['type'] === 'tool_result' && b['is_error'] === true).length;
    const agent_id = text(j['agentId']) ?? agentIdOf(file);
    if (errors && agent_id) links.push({ ts, agent_id, tool_errors: errors });
  }
  const data = object(j['data']);
  if (j['type'] === 'progress' && data?.['type'] === 'agent_progress') {
    // A running subagent's step, relayed into the parent's transcript; it may carry a copy of the
    // subagent's response, which counts once with the copy in the subagent's own transcript.
    const agent_id = text(data['agentId']);
    links.push({ ts, agent_id, tool_use_id: text(j['parentToolUseID']) });
    const relayed = object(data['message']);
    const inner = object(relayed?.['message']);
    if (inner && object(inner['usage'])) {
      const r = response(j, inner, relayed!['timestamp'] ?? stamp, file, { sidechain: true, agent_id });
      if (typeof r === 'string') return { error: r };
      if (r) records.push(r);
    }
  }
  if (m && object(m['usage'])) {
    const sidechain = j['isSidechain'] === true;
    const r = response(j, m, stamp, file, { sidechain, agent_id: sidechain ? (text(j['agentId']) ?? agentIdOf(file)) : undefined });
    if (typeof r === 'string') return { error: r };
    if (r) records.push(r);
  }
  // The start of a Task call: the type of subagent asked for (general-purpose when none is named).
  if (m && Array.isArray(m['content'])) {
    for (const b of (m['content'] as unknown[]).map(object)) {
      if (b?.['type'] !== 'tool_use' || (b['name'] !== 'Task' && b['name'] !== 'Agent')) continue;
      const input = object(b['input']);
      const description = text(input?.['description']);
      links.push({
        ts,
        tool_use_id: text(b['id']),
        agent_type: text(input?.['subagent_type']) ?? 'general-purpose',
        ...(description ? { task: createHash('sha256').update(description.trim().toLowerCase()).digest('hex').slice(0, 16) } : {}),
      });
    }
  }
  return links.length ? { records, links: links.filter((l) => Number.isFinite(l.ts) && (l.agent_id || l.tool_use_id)) } : { records };
}

/** The text of a tool result's content (a string, or text blocks), to test, never to keep. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((b) => text(object(b)?.['text']) ?? '').join('\n') : '';
}

/** A subagent transcript's agent id, from its name (`agent-<id>.jsonl`). */
function agentIdOf(file: string): string | undefined {
  return /(?:^|[\\/])agent-([^\\/]+)\.jsonl$/.exec(file)?.[1];
}

/** One API response from its `message` (with `usage`); undefined when it counts nothing; a string for a bad line. */
function response(j: Record<string, unknown>, m: Record<string, unknown>, stamp: unknown, file: string, who: { sidechain: boolean; agent_id: string | undefined }): CallRecord | string | undefined {
  const u = m['usage'] as Record<string, unknown>;
  // API error lines carry a synthetic model and no usage worth counting.
  if (m['model'] === '<synthetic>') return undefined;
  const ts = timestamp(stamp);
  if (typeof ts === 'string') return ts;
  const input = count(u['input_tokens'], 'message.usage.input_tokens');
  const output = count(u['output_tokens'], 'message.usage.output_tokens');
  let write = count(u['cache_creation_input_tokens'], 'message.usage.cache_creation_input_tokens');
  const read = count(u['cache_read_input_tokens'], 'message.usage.cache_read_input_tokens');
  let write1h: number | string = 0;
  const split = object(u['cache_creation']);
  if (split) {
    // The split, where the line has it, is the truth of what was written, and for how long.
    const five = count(split['ephemeral_5m_input_tokens'], 'message.usage.cache_creation.ephemeral_5m_input_tokens');
    write1h = count(split['ephemeral_1h_input_tokens'], 'message.usage.cache_creation.ephemeral_1h_input_tokens');
    if (typeof five === 'number' && typeof write1h === 'number' && five + write1h > 0) write = five + write1h;
  }
  for (const v of [input, output, write, read, write1h]) if (typeof v === 'string') return v;
  // A negative cost would lower the spend reported: refused, as the export refuses it.
  const cost = j['costUSD'];
  if (typeof cost === 'number' && !(cost >= 0 && Number.isFinite(cost))) return `costUSD: must not be negative, found ${cost}`;
  const id = text(m['id']) ?? text(j['requestId']) ?? text(j['uuid']);
  const session = text(j['sessionId']);
  return {
    kind: 'call',
    ts,
    run_id: session,
    phase_id: undefined,
    request_id: id,
    role: who.sidechain ? 'subagent' : 'main',
    provider: 'anthropic',
    model: text(m['model']) ?? 'unknown',
    input_tokens: input as number,
    output_tokens: output as number,
    cache_creation_input_tokens: write as number,
    cache_read_input_tokens: read as number,
    cache_creation_1h_tokens: write1h as number,
    cost_usd: typeof j['costUSD'] === 'number' ? j['costUSD'] : undefined,
    session_id: session,
    project: projectOf(file),
    agent: who.sidechain ? 'subagent' : 'main',
    agent_id: who.agent_id,
    sidechain: who.sidechain,
  };
}

const total = (c: CallRecord): number => c.input_tokens + c.output_tokens + c.cache_creation_input_tokens + c.cache_read_input_tokens;

export const claudeCode: AppendLinesAdapter = {
  format: 'claude-code',
  description: 'Claude Code transcripts (projects/**/*.jsonl): one usage record per API response',
  shape: 'append-lines',
  extensions: ['.jsonl'],
  parseLine: parseClaudeCodeLine,
  // A response's id; a line without one is its own record.
  dedupeKey: (r: TelemetryRecord) => `cc:${(r as CallRecord).request_id ?? `${r.ts}:${(r as CallRecord).model}:${total(r as CallRecord)}`}`,
  prefer(candidate: TelemetryRecord, kept: TelemetryRecord): boolean {
    const a = candidate as CallRecord;
    const b = kept as CallRecord;
    if (!!a.sidechain !== !!b.sidechain) return !a.sidechain;
    return total(a) > total(b);
  },
  home: { what: 'Claude Code transcripts', variable: 'CLAUDE_CONFIG_DIR', find: (env) => claudeCodeRoots(env) },
};

/**
 * Where Claude Code keeps its transcripts when a source names no path: each directory of
 * `CLAUDE_CONFIG_DIR` (one path or a comma-separated list) when it is set, otherwise both
 * `$XDG_CONFIG_HOME/claude` (`~/.config/claude`) and `~/.claude`; in each, its `projects/`. Only the
 * ones that exist; `tried` says where it looked.
 */
export function claudeCodeRoots(env: NodeJS.ProcessEnv): { roots: string[]; tried: string[] } {
  const configured = env['CLAUDE_CONFIG_DIR']
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const home = env['HOME'] || homedir();
  const dirs = configured?.length ? configured : [join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'claude'), join(home, '.claude')];
  const tried = dirs.map((d) => (d.endsWith(`${sep}projects`) || d.endsWith('/projects') ? d : join(d, 'projects')));
  const roots = tried.filter((d) => existsSync(d) && statSync(d).isDirectory());
  return { roots, tried };
}
