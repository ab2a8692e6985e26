import { existsSync, readFileSync, statSync } from 'node:fs';
import type { LoadedConfig } from '../config/index.js';
import { resolve, sep } from 'node:path';
import { ConfigError } from '../common/index.js';
import { canonicalStep, jsonLine, stepLabel } from '../sources/index.js';
import { listSourceFiles } from '../ingest/index.js';
import { traceOf, wasteReport, type Trace, type WasteReport } from '../waste/index.js';
import { configFor } from './report.js';

/**
 * `tune report waste`: the waste detectors over the Claude Code transcripts of the config's sources
 * (or of Claude Code's home with no config). The transcripts are read directly, one file at a time:
 * the state keeps counts, not the content kinds and tool calls the detectors need.
 */
export async function runWaste(o: { configPath: string | undefined; env: NodeJS.ProcessEnv }): Promise<{ report: WasteReport; sources: string[] }> {
  const loaded = await configFor(o);
  const sources = loaded.sources.filter((s) => s.format === 'claude-code').map((s) => s.path);
  if (!sources.length && !loaded.sources.some((s) => s.format === 'autoskillit')) throw new ConfigError(`${loaded.file}: no claude-code source: the waste detectors read Claude Code transcripts`);
  return { report: wasteOf(loaded) ?? wasteReport([], loaded.pricing), sources };
}

/**
 * The waste in the Claude Code transcripts of a config's sources; with `sinceMs`, only those written
 * since (a weekly run's window). Undefined when the config reads no transcripts.
 */
export function wasteOf(loaded: LoadedConfig, sinceMs = 0): WasteReport | undefined {
  const sources = loaded.sources.filter((s) => s.format === 'claude-code').map((s) => s.path);
  const steps = pipelineSteps(loaded);
  if (!sources.length && !steps.logs.length) return undefined;
  // Main conversations first: a response also copied into a subagent's file is judged where the parent has it.
  const sub = (f: string) => Number(f.includes(`${sep}subagents${sep}`));
  const files = [...new Set([...sources.flatMap((p) => listSourceFiles(p, ['.jsonl'])), ...steps.logs])]
    .filter((f) => !sinceMs || statSync(f).mtimeMs >= sinceMs)
    .sort((a, b) => sub(a) - sub(b) || (a < b ? -1 : 1));
  const seen = new Set<string>();
  function* traces(): Generator<Trace> {
    for (const f of files) yield traceOf(f, readFileSync(f, 'utf8').split('\n'), seen);
  }
  return wasteReport(traces(), loaded.pricing, undefined, (t) => (t.session ? steps.bySession.get(t.session) : undefined) ?? steps.byLog.get(t.file));
}

/**
 * The pipeline step each headless session ran, from AutoSkillit's session index (by Claude's session
 * id, and by the transcript it names in claude_code_log), and those transcripts, read even where no
 * claude-code source covers them.
 */
function pipelineSteps(loaded: LoadedConfig): { bySession: Map<string, string>; byLog: Map<string, string>; logs: string[] } {
  const bySession = new Map<string, string>();
  const byLog = new Map<string, string>();
  for (const source of loaded.sources.filter((s) => s.format === 'autoskillit'))
    for (const index of listSourceFiles(source.path, ['sessions.jsonl']))
      for (const line of readFileSync(index, 'utf8').split('\n')) {
        const read = jsonLine(line);
        if (!read || 'error' in read) continue;
        const j = read.value;
        const label = stepLabel(j);
        if (!label) continue;
        const step = canonicalStep(label);
        if (typeof j['session_id'] === 'string') bySession.set(j['session_id'], step);
        const log = j['claude_code_log'];
        if (typeof log === 'string' && existsSync(log)) byLog.set(resolve(log), step);
      }
  return { bySession, byLog, logs: [...byLog.keys()] };
}
