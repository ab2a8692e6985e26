import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { WholeFileAdapter } from './api.js';
import { count, object, text, timestamp } from './parse.js';
import type { CallRecord, SkippedLine, TelemetryRecord } from './records.js';

/**
 * OpenAI Codex CLI sessions: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<session id>.jsonl`
 * (`~/.codex` without CODEX_HOME). A line is `{timestamp, type, payload}`. `session_meta` names the
 * session and its working directory, `turn_context` the model of the turns that follow, and an
 * `event_msg` whose payload is a `token_count` carries the usage: `info.last_token_usage` for the
 * turn, `info.total_token_usage` for the session so far.
 *
 * A turn's model is only known from the lines before it, so a file is read whole (a session file is
 * read again while it grows, and once after it ends). OpenAI counts cached input inside
 * `input_tokens` and reasoning inside `output_tokens`: a record carries the uncached input, the cached
 * input as cache reads, and the output as given. A token_count whose session total has not moved
 * repeats the turn before it (Codex writes one when only its rate limits changed) and counts nothing.
 * Only counts, ids, the model and the working directory are kept.
 */

interface Usage {
  input: number;
  cached: number;
  output: number;
  total: number;
}

/** A usage object's counts, or what is wrong with it; undefined when there is none. */
function usageOf(v: unknown, field: string): Usage | string | undefined {
  const u = object(v);
  if (!u) return undefined;
  const n = (k: string): number | string => count(u[k], `${field}.${k}`);
  const input = n('input_tokens');
  const cached = u['cached_input_tokens'] !== undefined ? n('cached_input_tokens') : n('cache_read_input_tokens');
  const output = n('output_tokens');
  const total = n('total_tokens');
  for (const x of [input, cached, output, total]) if (typeof x === 'string') return x;
  return { input: input as number, cached: Math.min(cached as number, input as number), output: output as number, total: (total as number) || (input as number) + (output as number) };
}

const minus = (a: Usage, b: Usage | undefined): Usage => ({
  input: Math.max(0, a.input - (b?.input ?? 0)),
  cached: Math.max(0, a.cached - (b?.cached ?? 0)),
  output: Math.max(0, a.output - (b?.output ?? 0)),
  total: Math.max(0, a.total - (b?.total ?? 0)),
});

/** The session id in a rollout file's name (`rollout-2026-11-02T09-15-00-<uuid>.jsonl`), else the name. */
export function codexSessionOf(file: string): string {
  const name = basename(file).replace(/\.jsonl$/i, '');
  return /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(name)?.[1] ?? name;
}

export function parseCodexFile(content: string, file: string): { records: TelemetryRecord[]; skipped: SkippedLine[] } {
  const records: CallRecord[] = [];
  const skipped: SkippedLine[] = [];
  let session = codexSessionOf(file);
  let cwd: string | undefined;
  let model: string | undefined;
  let before: Usage | undefined;
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    // Most lines are messages and tool calls: only these three kinds matter.
    if (!line || !(line.includes('"token_count"') || line.includes('"turn_context"') || line.includes('"session_meta"'))) continue;
    const skip = (reason: string) => skipped.push({ file, line: i + 1, reason });
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(line) as Record<string, unknown>;
    } catch {
      skip('not JSON');
      continue;
    }
    const payload = object(j['payload']);
    if (j['type'] === 'session_meta') {
      session = text(payload?.['id']) ?? session;
      cwd = text(payload?.['cwd']) ?? cwd;
      continue;
    }
    if (j['type'] === 'turn_context') {
      model = text(payload?.['model']) ?? model;
      cwd = text(payload?.['cwd']) ?? cwd;
      continue;
    }
    if (j['type'] !== 'event_msg' || payload?.['type'] !== 'token_count') continue;
    const info = object(payload['info']);
    if (!info) continue; // rate limits alone
    const last = usageOf(info['last_token_usage'], 'payload.info.last_token_usage');
    const total = usageOf(info['total_token_usage'], 'payload.info.total_token_usage');
    if (typeof last === 'string' || typeof total === 'string') {
      skip(typeof last === 'string' ? last : (total as string));
      continue;
    }
    if (total && before && total.total === before.total && total.input === before.input && total.output === before.output) continue;
    const turn = last ?? (total ? minus(total, before) : undefined);
    if (total) before = total;
    if (!turn || turn.input + turn.output === 0) continue;
    const ts = timestamp(j['timestamp']);
    if (typeof ts === 'string') {
      skip(ts);
      continue;
    }
    const named = text(info['model']) ?? text(payload['model']);
    if (named) model = named;
    records.push({
      kind: 'call',
      ts,
      run_id: session,
      phase_id: undefined,
      // No id of its own: its time and place in the session's running total tell a turn apart.
      request_id: `${ts}:${total?.total ?? turn.total}`,
      role: 'main',
      provider: 'openai',
      model: model ?? 'unknown',
      input_tokens: turn.input - turn.cached,
      output_tokens: turn.output,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: turn.cached,
      cost_usd: undefined,
      session_id: session,
      project: cwd ? basename(cwd) : undefined,
      agent: 'codex',
    });
  }
  return { records, skipped };
}

export const codex: WholeFileAdapter = {
  format: 'codex',
  description: 'OpenAI Codex CLI sessions ($CODEX_HOME/sessions/**/*.jsonl): one usage record per turn',
  shape: 'whole-file',
  extensions: ['.jsonl'],
  parseFile: parseCodexFile,
  // A turn is its session and its place in the session's running total: a resumed session's copy of it counts once.
  dedupeKey: (r: TelemetryRecord) => `codex:${(r as CallRecord).session_id ?? ''}:${(r as CallRecord).request_id ?? r.ts}`,
  prefer: (candidate: TelemetryRecord, kept: TelemetryRecord) => total(candidate as CallRecord) > total(kept as CallRecord),
  home: { what: 'Codex CLI sessions', variable: 'CODEX_HOME', find: (env) => codexRoots(env) },
};

const total = (c: CallRecord): number => c.input_tokens + c.output_tokens + c.cache_read_input_tokens;

/** Where Codex keeps its sessions when a source names no path: `$CODEX_HOME/sessions`, else `~/.codex/sessions`. */
export function codexRoots(env: NodeJS.ProcessEnv): { roots: string[]; tried: string[] } {
  const home = env['CODEX_HOME']?.trim() || join(env['HOME'] || homedir(), '.codex');
  const tried = [join(home, 'sessions')];
  return { roots: tried.filter((d) => existsSync(d) && statSync(d).isDirectory()), tried };
}
