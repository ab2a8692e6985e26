import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { AppendLinesAdapter, LineResult } from './api.js';
import { count, jsonLine, object, text, timestamp } from './parse.js';
import type { TelemetryRecord, WorkRecord } from './records.js';

/**
 * AutoSkillit's session logs: the index `sessions.jsonl` (one line per headless session a pipeline
 * ran, appended when it ends), joined to `sessions/<dir_name>/token_usage.json` beside it. A session
 * is one unit of work of its step (the recipe step's name with a trailing `-N` dropped: `plan-30` is
 * `plan`) in its order, with its model, tokens, turns, duration and how it ended. It adds no call
 * record: a headless session is a Claude Code session, whose transcript (read by a claude-code source)
 * is the spend, response by response; counting the session's own sum too would count it twice. Both field sets are read: `main` (`step_name`, four token counts,
 * `timing_seconds`) and `develop` (`session_label`, `model_identifier`, `turn_count`,
 * `duration_seconds`, `caller_session_id`). AutoSkillit records no cost.
 */

/** How a session ended beside success, in AutoSkillit's words: an interruption is no outcome. */
const INTERRUPTED = new Set(['interrupted']);

/** A step's canonical name, as AutoSkillit's token summary groups it. */
export const canonicalStep = (name: string): string => name.replace(/-\d+$/, '');

/** The step a session ran, as it was labelled: its own file's label first, then the index line's. */
export const stepLabel = (index: Record<string, unknown>, usage: Record<string, unknown> = {}): string | undefined =>
  text(usage['session_label']) ?? text(usage['step_name']) ?? text(index['step_name']) ?? text(index['session_label']);

export function parseAutoskillitLine(line: string, file: string): LineResult {
  const parsed = jsonLine(line);
  if (!parsed) return { records: [] };
  if ('error' in parsed) return parsed;
  const j = parsed.value;
  const session = text(j['session_id']);
  if (!session) return { error: `session_id: expected a string, found ${JSON.stringify(j['session_id'] ?? null).slice(0, 40)}` };
  const started = timestamp(j['timestamp']);
  if (typeof started === 'string') return { error: started };
  // The session's own file holds its step and usage where the index line lacks them (main's index has no cache counts).
  const dir = text(j['dir_name']);
  let usage: Record<string, unknown> = {};
  if (dir) {
    const at = join(dirname(file), 'sessions', dir, 'token_usage.json');
    if (existsSync(at)) {
      try {
        usage = object(JSON.parse(readFileSync(at, 'utf8'))) ?? {};
      } catch {
        return { error: `sessions/${dir}/token_usage.json: not JSON` };
      }
    }
  }
  const pick = (k: string) => usage[k] ?? j![k];
  const kinds = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'].map((k) => count(pick(k), k));
  for (const k of kinds) if (typeof k === 'string') return { error: k };
  const [input, output, write, read] = kinds as number[];
  const label = stepLabel(j, usage);
  // A session of no step (an orchestrator's own, a kitchen's) is no step's work: its usage still counts.
  const step = label ? canonicalStep(label) : 'unlabelled';
  const seconds = [usage['timing_seconds'], j['duration_seconds']].find((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0) as number | undefined;
  const ended = seconds !== undefined ? started + seconds * 1000 : started;
  const model = text(usage['model_identifier']) ?? text(j['model_identifier']);
  const subtype = text(j['subtype']) ?? text(j['cli_subtype']);
  const turns = typeof usage['turn_count'] === 'number' ? usage['turn_count'] : undefined;
  const order = text(j['order_id']) ?? text(usage['order_id']) ?? text(j['kitchen_id']);
  const interrupted = subtype !== undefined && INTERRUPTED.has(subtype);
  const work: WorkRecord = {
    kind: 'work',
    unit: 'session',
    ts: ended,
    agent: step,
    category: step,
    session,
    ...(order ? { run_id: order } : {}),
    ...(model ? { model } : {}),
    input_tokens: input!,
    output_tokens: output!,
    cache_creation_tokens: write!,
    cache_read_tokens: read!,
    ...(turns !== undefined ? { turns } : {}),
    ...(interrupted ? { interrupted } : typeof j['success'] === 'boolean' ? { outcome: j['success'] ? 'success' : 'failed' } : {}),
    ...(subtype && subtype !== 'success' ? { failure: subtype } : {}),
    ...(seconds !== undefined ? { duration_ms: Math.round(seconds * 1000) } : {}),
    ...(text(j['caller_session_id']) ? { caller: text(j['caller_session_id']) } : {}),
    ...(label && label !== step ? { label } : {}),
  };
  return { records: [work] };
}

export const autoskillit: AppendLinesAdapter = {
  format: 'autoskillit',
  description: "AutoSkillit's session index (sessions.jsonl) joined to each session's token_usage.json: one unit of work per headless session of a recipe step",
  shape: 'append-lines',
  extensions: ['sessions.jsonl'],
  parseLine: parseAutoskillitLine,
  dedupeKey: (r: TelemetryRecord) => `ask:${(r as WorkRecord).session}`,
  home: { what: "AutoSkillit's session logs", variable: 'XDG_DATA_HOME', find: (env) => autoskillitRoots(env) },
};

/** `$XDG_DATA_HOME/autoskillit/logs` (else `~/.local/share/…`), and macOS's Application Support. */
export function autoskillitRoots(env: NodeJS.ProcessEnv): { roots: string[]; tried: string[] } {
  const home = env['HOME'] || homedir();
  const tried = [join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'autoskillit', 'logs'), join(home, 'Library', 'Application Support', 'autoskillit', 'logs')];
  return { roots: tried.filter((d) => existsSync(d) && statSync(d).isDirectory()), tried };
}
