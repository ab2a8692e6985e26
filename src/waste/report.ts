import type { Pricing } from '../pricing/index.js';
import { callCost, DEFAULT_WASTE_OPTIONS, detect, WASTE_KINDS, type Occurrence, type WasteKind, type WasteOptions } from './detect.js';
import type { Trace, TraceCall } from './trace.js';

/** One kind of waste over every transcript read: how often, what it cost, where, and what to do. */
export interface WasteFinding {
  kind: WasteKind;
  occurrences: number;
  calls: number;
  tokens: number;
  usd: number;
  sessions: number;
  /** What following the recommendation saves, at the prices of the calls it would spare. */
  saving_usd: number;
  recommendation: string;
  /** The largest occurrences, most costly first. */
  top: Occurrence[];
  /** Its cost by pipeline step, where sessions are a pipeline's (AutoSkillit's). */
  by_step: Record<string, number>;
}

/**
 * The main conversations that dispatched subagents: what they cost themselves (a pipeline's own
 * summary of its workers leaves this out), split over the subagent types they dispatched by how many
 * runs of each.
 */
export interface OrchestratorCost {
  sessions: number;
  calls: number;
  tokens: number;
  usd: number;
  by_type: { type: string; dispatches: number; usd: number }[];
}

export interface WasteReport {
  files: number;
  calls: number;
  tokens: number;
  usd: number;
  findings: WasteFinding[];
  orchestrator: OrchestratorCost | null;
}

const ADVICE: Record<WasteKind, string> = {
  narration: 'tell headless agents to call the tool without announcing it first (one line in their system prompt): each announcement re-sends the whole context for no work',
  thinking_only: "lower these agents' effort or thinking budget: a call that only reasons re-sends the whole context before the call that acts",
  rereads: 'read a file once (with a range where it is long) and keep notes of it; each re-read re-sends the context and the file',
  polling: 'run the job in the background and wait on it once, instead of cycles of sleep, tail and ps',
  carried_results: 'have subagents and tools write long reports to a file and return a one-line pointer: a result in context is re-sent on every later call',
  heavy_start: 'trim what every session loads first (CLAUDE.md, skills, the system prompt): each short session pays it whole',
  no_edit_sessions: 'check what these sessions were for: they only read and changed nothing; a cheaper model or one subagent may do it',
};

/** Every kind's findings over the traces, with the orchestrators' own cost. */
export function wasteReport(traces: Iterable<Trace>, pricing: Pricing, o: WasteOptions = DEFAULT_WASTE_OPTIONS, stepOf: (t: Trace) => string | undefined = () => undefined): WasteReport {
  const found: Occurrence[] = [];
  let files = 0;
  let calls = 0;
  let tokens = 0;
  let usd = 0;
  const orch: OrchestratorCost = { sessions: 0, calls: 0, tokens: 0, usd: 0, by_type: [] };
  const dispatched = new Map<string, { dispatches: number; usd: number }>();
  const cost = (c: TraceCall): number => callCost(pricing, c);
  for (const t of traces) {
    files++;
    const own = t.events.filter((e): e is TraceCall => e.kind === 'call');
    const ownUsd = own.reduce((a, c) => a + cost(c), 0);
    const ownTokens = own.reduce((a, c) => a + c.input + c.output + c.cache_creation + c.cache_read, 0);
    calls += own.length;
    tokens += ownTokens;
    usd += ownUsd;
    const step = stepOf(t);
    found.push(...detect(t, pricing, o).map((x) => (step ? { ...x, step } : x)));
    const types = own.flatMap((c) => c.tools.filter((x) => x.name === 'Task' || x.name === 'Agent').map((x) => x.agent ?? 'general-purpose'));
    if (!t.sidechain && types.length) {
      orch.sessions++;
      orch.calls += own.length;
      orch.tokens += ownTokens;
      orch.usd += ownUsd;
      // This session's cost goes to the types it dispatched, by their share of its dispatches.
      for (const type of types) {
        const d = dispatched.get(type) ?? { dispatches: 0, usd: 0 };
        dispatched.set(type, { dispatches: d.dispatches + 1, usd: d.usd + ownUsd / types.length });
      }
    }
  }
  orch.by_type = [...dispatched].map(([type, d]) => ({ type, ...d }));
  orch.by_type.sort((a, b) => b.usd - a.usd || a.type.localeCompare(b.type));

  const findings: WasteFinding[] = [];
  for (const kind of WASTE_KINDS) {
    const mine = found.filter((x) => x.kind === kind);
    // A heavy start is the fleet's pattern only across many sessions.
    if (!mine.length || (kind === 'heavy_start' && mine.length < o.heavyStartSessions)) continue;
    const sum = (f: (x: Occurrence) => number) => mine.reduce((a, x) => a + f(x), 0);
    const spent = sum((x) => x.usd);
    findings.push({
      kind,
      occurrences: mine.length,
      calls: sum((x) => x.calls),
      tokens: sum((x) => x.tokens),
      usd: spent,
      sessions: new Set(mine.map((x) => x.file)).size,
      // A start trimmed to the threshold keeps what is under it; every other kind's calls go away.
      saving_usd: kind === 'heavy_start' ? sum((x) => (x.usd * Math.max(0, x.tokens - o.heavyStartTokens)) / x.tokens) : spent,
      recommendation: ADVICE[kind],
      top: [...mine].sort((a, b) => b.usd - a.usd).slice(0, 5),
      by_step: mine.reduce<Record<string, number>>((a, x) => (x.step ? { ...a, [x.step]: (a[x.step] ?? 0) + x.usd } : a), {}),
    });
  }
  findings.sort((a, b) => b.saving_usd - a.saving_usd);
  return { files, calls, tokens, usd, findings, orchestrator: orch.sessions ? orch : null };
}
