import * as z from 'zod';

/**
 * Canonical telemetry records. Every adapter maps its source format onto these, and everything
 * downstream (rollups, stats, rules) only ever sees these shapes. `ts` is epoch milliseconds so the
 * hot path never re-parses dates.
 */

export const Complexity = z.enum(['low', 'medium', 'high']);
export type Complexity = z.infer<typeof Complexity>;
export const COMPLEXITIES: readonly Complexity[] = Complexity.options;

export const Outcome = z.enum(['success', 'failed', 'timeout', 'stuck']);
export type Outcome = z.infer<typeof Outcome>;

export const Role = z.enum(['builder', 'auditor']);
export type Role = z.infer<typeof Role>;

export interface PhaseRecord {
  kind: 'phase';
  ts: number;
  run_id: string;
  tier_id: string;
  phase_id: string;
  category: string;
  complexity: Complexity;
  builder_model: string;
  auditor_model: string | undefined;
  tokens_used: number;
  incident_token_cap: number;
  outcome: Outcome;
  builder_attempts: number;
  auditor_attempts: number;
  retries: number;
  /** True when the phase stopped on max_tokens: its real need is censored at the cap. */
  truncated: boolean;
  /** Optional context some sources carry. */
  session_id?: string | undefined;
  project?: string | undefined;
  turns?: number | undefined;
  duration_ms?: number | undefined;
  cost_usd?: number | undefined;
}

export interface CallRecord {
  kind: 'call';
  ts: number;
  run_id: string | undefined;
  /** The phase the call worked for, where the source has phases. */
  phase_id: string | undefined;
  /** The API request or response id, where the source records one: what tells copies of a call apart. */
  request_id?: string | undefined;
  /** builder, auditor, or any auxiliary agent name (planner, doctor, …). */
  role: string;
  provider: string | undefined;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** Cost the source reported itself, if any; we still cost from the price table. */
  cost_usd: number | undefined;
  /** Of cache_creation_input_tokens, those written for one hour (priced higher than five-minute writes). */
  cache_creation_1h_tokens?: number | undefined;
  session_id?: string | undefined;
  project?: string | undefined;
  /** The agent (or subagent type) that made the call, where the source knows it. */
  agent?: string | undefined;
  duration_ms?: number | undefined;
  /** A subagent's call (Claude Code's sidechain), as opposed to the main conversation's. */
  sidechain?: boolean | undefined;
  /** The subagent's id, where its type is learnt from another line (see AgentLink). */
  agent_id?: string | undefined;
  /** How many calls the record sums, where the source gives sums (a gateway's daily rollups); else one. */
  calls?: number | undefined;
}

export interface CiRecord {
  kind: 'ci';
  ts: number;
  run_id: string;
  tier_id: string;
  ci_profile: string;
  runs: number;
  failures_caught: number;
  false_positives: number;
  tokens_equivalent: number | undefined;
}

/** Providers that run on the user's machine (Myco's provider types): they cost nothing. */
export const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(['ollama', 'lmstudio']);

/** One phase of a scheduled task's run, as the task's runner reported it. */
export interface TaskPhase {
  name: string;
  /** Turns the phase used; undefined where the run did not say. */
  turns: number | undefined;
  tokens: number;
  /** The phase stopped at its turn budget: its real need is censored there. */
  cap_hit: boolean;
  /** The budget it ran under, where the runner recorded it (on a cap hit). */
  allowed_turns: number | undefined;
  /** Its post-condition failed, or the phase failed. */
  failed: boolean;
  /** It did nothing: skipped by its gate, or no turn used. */
  idle: boolean;
}

/**
 * One finished run of a scheduled agent task (Myco's `agent_runs`): its model, outcome, cost and
 * phases. Its token usage comes as a call record beside it.
 */
export interface TaskRunRecord {
  kind: 'task_run';
  /** When the run finished. */
  ts: number;
  started_ts: number;
  run_id: string;
  task: string;
  provider: string | undefined;
  model: string;
  outcome: 'success' | 'failed';
  tokens: number;
  /** USD as the runner resolved it (actual, else estimated); undefined when unavailable. */
  cost_usd: number | undefined;
  /** A local provider (Ollama, LM Studio): it costs nothing, and its runs stay out of cost means. */
  local: boolean;
  /** The run found nothing to do: no usage, or only its first phase ran and the rest were skipped. */
  noop: boolean;
  phases: TaskPhase[];
}

/**
 * One unit of work a source reports whole (an agent invocation), with what the source knows of it and
 * nothing it does not: a field left undefined is unknown, never zero. Its spend, where the source
 * reports one, may also reach the reports as call records of another file (Vextrus's cost file):
 * a unit of work is evidence of outcomes, not spend.
 */
export interface WorkRecord {
  kind: 'work';
  /** When it ended. */
  ts: number;
  /** What one unit is in its source: an agent's invocation, or a whole headless session of a pipeline step. */
  unit: 'invocation' | 'session';
  /** Who did the work: an agent, a subagent type. */
  agent: string;
  /** The run or task it was part of, where the source has them. */
  run_id?: string | undefined;
  category?: string | undefined;
  session?: string | undefined;
  project?: string | undefined;
  model?: string | undefined;
  /** Tokens by kind: uncached input, output, cache writes, cache reads (the last two where the source tells them apart). */
  input_tokens?: number | undefined;
  output_tokens?: number | undefined;
  cache_creation_tokens?: number | undefined;
  cache_read_tokens?: number | undefined;
  turns?: number | undefined;
  outcome?: 'success' | 'failed' | undefined;
  /** How it failed, in its source's words (AutoSkillit's error_max_turns, context_exhaustion, timeout …). */
  failure?: string | undefined;
  /** The session that dispatched it (an orchestrator's), where the source records it. */
  caller?: string | undefined;
  /** Its own name where the agent is a canonical one (a step `plan-30` of the step `plan`). */
  label?: string | undefined;
  /** Corrections a user made to its result, where the source counts them. */
  corrections?: number | undefined;
  /** The user stopped it (its outcome is then unknown). */
  interrupted?: boolean | undefined;
  /** Its tool calls that failed, where the source records them. */
  tool_errors?: number | undefined;
  /** Its caller asked for the same work again after it ended: whatever it reported did not do. */
  redispatched?: boolean | undefined;
  duration_ms?: number | undefined;
  cost_usd?: number | undefined;
}

/** All the tokens of a unit of work, of every kind it reports. */
export const workTokens = (w: WorkRecord): number => (w.input_tokens ?? 0) + (w.output_tokens ?? 0) + (w.cache_creation_tokens ?? 0) + (w.cache_read_tokens ?? 0);

export type TelemetryRecord = PhaseRecord | CallRecord | CiRecord | TaskRunRecord | WorkRecord;

/**
 * What joins a subagent's calls to its type, from lines that carry no usage of their own: the parent's
 * call of its Task tool (tool-use id and subagent type), and the result or progress of that call
 * (tool-use id and agent id, with the type where the line names it).
 */
export interface AgentLink {
  ts: number;
  agent_id?: string | undefined;
  tool_use_id?: string | undefined;
  agent_type?: string | undefined;
  /** On the result of the call: how the subagent's run ended, how long it took, how many tools it used. */
  outcome?: 'success' | 'failed' | undefined;
  duration_ms?: number | undefined;
  tool_uses?: number | undefined;
  /** On the result of the call: the user stopped the run, which says nothing of how it would have ended. */
  interrupted?: boolean | undefined;
  /** On a subagent's own line: tool calls of its that failed. */
  tool_errors?: number | undefined;
  /** On the call: a digest of its description (the text itself is not kept); equal digests are the same work asked again. */
  task?: string | undefined;
}

/** A problem with one line of one source file; the line is skipped, never guessed at. */
export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}
