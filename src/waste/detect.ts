import { priceOf, responseCost, type Pricing } from '../pricing/index.js';
import { isEdit, type Trace, type TraceCall } from './trace.js';

/** The kinds of waste found in agent sessions. */
export const WASTE_KINDS = ['narration', 'thinking_only', 'rereads', 'polling', 'carried_results', 'heavy_start', 'no_edit_sessions'] as const;
export type WasteKind = (typeof WASTE_KINDS)[number];

/** One place a detector found waste: the calls it cost, and what they cost. */
export interface Occurrence {
  kind: WasteKind;
  file: string;
  session: string | undefined;
  /** The pipeline step the session ran (AutoSkillit's), where one is known. */
  step?: string | undefined;
  /** What it was, for a person: a path read again, a polling command, a result's size. */
  what: string;
  /** Calls wasted (for carried results: the calls that re-sent the result). */
  calls: number;
  tokens: number;
  usd: number;
}

export interface WasteOptions {
  /** A path read this many times in one session is reported; every read after the first is waste. */
  rereadMin: number;
  /** Consecutive polling calls that make a loop; all but the first are waste. */
  pollMin: number;
  /** A tool or subagent result of at least this many characters is "large". */
  largeResultChars: number;
  /** A session whose first call sends more context than this starts heavy. */
  heavyStartTokens: number;
  /** Heavy starts are reported only across at least this many sessions. */
  heavyStartSessions: number;
  /** A session with no edit is reported from this many calls on. */
  noEditMinCalls: number;
}

export const DEFAULT_WASTE_OPTIONS: WasteOptions = {
  rereadMin: 3,
  pollMin: 3,
  largeResultChars: 20_000,
  heavyStartTokens: 25_000,
  heavyStartSessions: 3,
  noEditMinCalls: 5,
};

/** Characters per token when only a text's length is known (results are not tokenised in the transcript). */
export const CHARS_PER_TOKEN = 4;

// A Bash call that only waits or looks at a running job.
const POLLING = /^\s*(?:sleep\s+\d|tail\b|ps\b|pgrep\b|jobs\b|wait\b|cat\s+\S+\.(?:log|out)\b)/;
const isPolling = (c: TraceCall): boolean => c.tools.length > 0 && c.tools.every((t) => t.name === 'Bash' && t.command !== undefined && POLLING.test(t.command));
const READ_ONLY = new Set(['Read', 'Grep', 'Glob', 'LS', 'WebFetch', 'WebSearch', 'TodoWrite', 'TodoRead']);

/** What one response cost at the price table (0 for a model with no price). */
export function callCost(pricing: Pricing, c: TraceCall): number {
  const p = priceOf(pricing, c.model);
  return p ? responseCost(p, c) : 0;
}

const context = (c: TraceCall): number => c.input + c.cache_creation + c.cache_read;
const tokensOf = (c: TraceCall): number => context(c) + c.output;

/** Each detector over one transcript. Heavy starts are per session here and kept only across many, by the caller. */
export function detect(trace: Trace, pricing: Pricing, o: WasteOptions = DEFAULT_WASTE_OPTIONS): Occurrence[] {
  const out: Occurrence[] = [];
  const calls = trace.events.filter((e): e is TraceCall => e.kind === 'call');
  if (!calls.length) return out;
  const cost = (c: TraceCall): number => callCost(pricing, c);
  const add = (kind: WasteKind, what: string, wasted: TraceCall[]) => {
    if (wasted.length)
      out.push({ kind, file: trace.file, session: trace.session, what, calls: wasted.length, tokens: wasted.reduce((a, c) => a + tokensOf(c), 0), usd: wasted.reduce((a, c) => a + cost(c), 0) });
  };

  // A call with only text (or only thinking) whose very next event is a call that uses a tool: the
  // announcement or the reasoning could have gone with the tool call, and the context was sent twice.
  const narration: TraceCall[] = [];
  const thinking: TraceCall[] = [];
  trace.events.forEach((e, i) => {
    const next = trace.events[i + 1];
    if (e.kind !== 'call' || e.tools.length || next?.kind !== 'call' || !next.tools.length) return;
    if (e.text) narration.push(e);
    else if (e.thinking) thinking.push(e);
  });
  add('narration', 'text-only calls followed by a tool call', narration);
  add('thinking_only', 'thinking-only calls followed by a tool call', thinking);

  // The same file read again and again: the calls of every read after the first.
  const reads = new Map<string, TraceCall[]>();
  for (const c of calls) for (const t of c.tools) if (t.name === 'Read' && t.path) reads.set(t.path, [...(reads.get(t.path) ?? []), c]);
  for (const [path, by] of reads) {
    const distinct = [...new Set(by)];
    if (distinct.length >= o.rereadMin) add('rereads', `${path} read ${distinct.length} times`, distinct.slice(1));
  }

  // Polling loops: consecutive calls that only wait on or look at a job; one background wait does.
  let run: TraceCall[] = [];
  const flush = () => {
    if (run.length >= o.pollMin) add('polling', `${run.length} polling calls (${run[0]!.tools[0]!.command!.trim().split(/\s+/).slice(0, 3).join(' ')} …)`, run.slice(1));
    run = [];
  };
  for (const c of calls) {
    if (isPolling(c)) run.push(c);
    else flush();
  }
  flush();

  // Large results carried: every later call of the transcript sends them again, read from the cache.
  trace.events.forEach((e, i) => {
    if (e.kind !== 'user') return;
    for (const r of e.results) {
      if (r.chars < o.largeResultChars) continue;
      const later = trace.events.slice(i + 1).filter((x): x is TraceCall => x.kind === 'call');
      if (!later.length) continue;
      const size = Math.ceil(r.chars / CHARS_PER_TOKEN);
      const usd = later.reduce((a, c) => a + size * (priceOf(pricing, c.model)?.cache_read_input_token_cost ?? 0), 0);
      const what = `${r.tool === 'Task' || r.tool === 'Agent' ? 'subagent report' : `${r.tool ?? 'tool'} result`} of ${r.chars.toLocaleString('en-US')} characters (~${size.toLocaleString('en-US')} tokens)`;
      out.push({ kind: 'carried_results', file: trace.file, session: trace.session, what, calls: later.length, tokens: size * later.length, usd });
    }
  });

  if (!trace.sidechain) {
    // A heavy fixed start: the first call's context.
    const first = calls[0]!;
    if (context(first) > o.heavyStartTokens) {
      // Its context alone: what the session paid to start, before it said anything.
      const usd = callCost(pricing, { ...first, output: 0 });
      out.push({
        kind: 'heavy_start',
        file: trace.file,
        session: trace.session,
        what: `first call sends ${context(first).toLocaleString('en-US')} tokens of context`,
        calls: 1,
        tokens: context(first),
        usd,
      });
    }
    // A session that edited nothing and ran nothing: it only looked around.
    const tools = calls.flatMap((c) => c.tools);
    if (calls.length >= o.noEditMinCalls && tools.length && tools.every((t) => READ_ONLY.has(t.name)) && !tools.some((t) => isEdit(t.name)))
      add('no_edit_sessions', `${calls.length} calls, ${tools.length} read-only tool calls, no edit`, calls);
  }
  return out;
}
