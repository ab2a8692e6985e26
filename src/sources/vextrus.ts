import type { WholeFileAdapter } from './api.js';
import { count, object, text } from './parse.js';
import type { CallRecord, SkippedLine, TelemetryRecord, WorkRecord } from './records.js';

/**
 * Vextrus ERP's Claude Code hooks keep two JSON files under `.claude/state/monitoring/`, rewritten in
 * place (whole files). `cost_tracking.json` holds, per day, each agent invocation with its model,
 * tokens, cost and duration (format `vextrus-cost`); `agent_metrics.json` holds per agent its
 * invocation history with success and user corrections (`vextrus-agents`: units of work). Agents are
 * `<plugin>:<agent>`; the plugin is the category. The hooks write local time without a zone: it is
 * read as UTC (a different zone cannot be told from the file).
 */

/** `sonnet-4.5` → `claude-sonnet-4-5`; a full id is kept. */
export function vextrusModel(m: string): string {
  const short = /^(opus|sonnet|haiku)-(\d+(?:\.\d+)?)$/.exec(m);
  return short ? `claude-${short[1]}-${short[2]!.replace('.', '-')}` : m;
}

/** A Vextrus timestamp (ISO, with or without a zone; without one read as UTC), or NaN. */
export function vextrusTime(v: unknown): number {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v)) return Number.NaN;
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`);
}

type Parsed = { records: TelemetryRecord[]; skipped: SkippedLine[] };

/** The mapping under `key` of a Vextrus file, or why there is none (the file's one skipped line). */
function sectionOf(content: string, file: string, key: string, name: string): { section: Record<string, unknown> } | { none: Parsed } {
  const none = (reason: string) => ({ none: { records: [], skipped: [{ file, line: 1, reason }] } });
  let doc: Record<string, unknown> | undefined;
  try {
    doc = object(JSON.parse(content));
  } catch (e) {
    return none(`not valid JSON (${(e as Error).message})`);
  }
  const section = object(doc?.[key]);
  return section ? { section } : none(`${key}: missing (not a ${name})`);
}

export function parseVextrusCost(content: string, file: string): Parsed {
  const skipped: SkippedLine[] = [];
  const found = sectionOf(content, file, 'daily', 'cost_tracking.json');
  if ('none' in found) return found.none;
  const daily = found.section;
  const records: CallRecord[] = [];
  for (const [day, v] of Object.entries(daily)) {
    const list = object(v)?.['invocations'];
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const at = `daily.${day}.invocations[${i}]`;
      const e = object(raw);
      const ts = vextrusTime(e?.['timestamp']);
      const agent = text(e?.['agent']);
      const model = text(e?.['model']);
      const input = count(e?.['tokens_input'], 'tokens_input');
      const output = count(e?.['tokens_output'], 'tokens_output');
      const cost = e?.['cost_usd'];
      const reason = !e
        ? 'not an object'
        : Number.isNaN(ts)
          ? `timestamp: not a time (${JSON.stringify(e['timestamp'] ?? null)})`
          : !agent
            ? 'agent: missing'
            : !model
              ? 'model: missing'
              : typeof input === 'string'
                ? input
                : typeof output === 'string'
                  ? output
                  : cost !== undefined && cost !== null && !(typeof cost === 'number' && cost >= 0)
                    ? 'cost_usd: not a cost'
                    : undefined;
      if (reason) return skipped.push({ file, line: 1, reason: `${at}: ${reason}` });
      const duration = typeof e!['duration_seconds'] === 'number' ? e!['duration_seconds'] : undefined;
      records.push({
        kind: 'call',
        ts,
        run_id: undefined,
        phase_id: undefined,
        request_id: e!['timestamp'] as string,
        role: agent!,
        agent: agent!,
        provider: 'anthropic',
        model: vextrusModel(model!),
        input_tokens: input as number,
        output_tokens: output as number,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cost_usd: typeof cost === 'number' ? cost : undefined,
        ...(duration !== undefined ? { duration_ms: Math.round(duration * 1000) } : {}),
      });
      return undefined;
    });
  }
  return { records, skipped };
}

/** The budget the file's own config sets, for a tuner config that sets none. */
export function vextrusBudget(content: string): { monthly_usd: number; threshold: number } | undefined {
  try {
    const c = object(object(JSON.parse(content))?.['config']);
    const usd = c?.['monthly_budget_usd'];
    const pct = c?.['alert_threshold_pct'];
    return typeof usd === 'number' && usd > 0 ? { monthly_usd: usd, threshold: typeof pct === 'number' && pct > 0 ? pct / 100 : 0.8 } : undefined;
  } catch {
    return undefined;
  }
}

export const vextrusCost: WholeFileAdapter = {
  format: 'vextrus-cost',
  description: "Vextrus's cost_tracking.json: one call record per agent invocation, with its reported cost",
  shape: 'whole-file',
  extensions: ['cost_tracking.json'],
  parseFile: parseVextrusCost,
  // The same invocation in the live file and in a backup copy counts once.
  dedupeKey: (r: TelemetryRecord) => `vx:${(r as CallRecord).agent ?? ''}:${(r as CallRecord).request_id ?? r.ts}`,
};

/**
 * `agent_metrics.json`: each agent's invocation history, one unit of work each, with its outcome and
 * the corrections its user made. Its costs are the cost file's too, so they are kept on the unit as
 * reported and never added to the spend; the error message is not kept (only counts and names are).
 */
export function parseVextrusAgents(content: string, file: string): Parsed {
  const skipped: SkippedLine[] = [];
  const found = sectionOf(content, file, 'agents', 'agent_metrics.json');
  if ('none' in found) return found.none;
  const agents = found.section;
  const records: WorkRecord[] = [];
  for (const [agent, v] of Object.entries(agents)) {
    const history = object(v)?.['invocation_history'];
    if (!Array.isArray(history)) continue;
    history.forEach((raw, i) => {
      const at = `agents.${agent}.invocation_history[${i}]`;
      const e = object(raw);
      const ts = vextrusTime(e?.['timestamp']);
      const corrections = count(e?.['user_corrections'], 'user_corrections');
      const reason = !e
        ? 'not an object'
        : Number.isNaN(ts)
          ? `timestamp: not a time (${JSON.stringify(e['timestamp'] ?? null)})`
          : typeof e['success'] !== 'boolean'
            ? 'success: expected true or false'
            : typeof corrections === 'string'
              ? corrections
              : undefined;
      if (reason) return skipped.push({ file, line: 1, reason: `${at}: ${reason}` });
      const model = text(e!['model']);
      const duration = e!['duration_seconds'];
      const cost = e!['cost_usd'];
      records.push({
        kind: 'work',
        ts,
        unit: 'invocation',
        agent,
        category: agent.includes(':') ? agent.slice(0, agent.indexOf(':')) : undefined,
        model: model ? vextrusModel(model) : undefined,
        outcome: e!['success'] ? 'success' : 'failed',
        corrections: corrections as number,
        duration_ms: typeof duration === 'number' && duration >= 0 ? Math.round(duration * 1000) : undefined,
        cost_usd: typeof cost === 'number' && cost >= 0 ? cost : undefined,
      });
      return undefined;
    });
  }
  return { records, skipped };
}

export const vextrusAgents: WholeFileAdapter = {
  format: 'vextrus-agents',
  description: "Vextrus's agent_metrics.json: one unit of work per agent invocation, with its outcome and user corrections",
  shape: 'whole-file',
  extensions: ['agent_metrics.json'],
  parseFile: parseVextrusAgents,
  dedupeKey: (r: TelemetryRecord) => `vxa:${(r as WorkRecord).agent}:${r.ts}`,
};
