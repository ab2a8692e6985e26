import type { WasteReport } from '../waste/index.js';
import { dirname, resolve } from 'node:path';
import { holdBack, type Analysis } from '../rules/index.js';
import type { Change } from '../targets/index.js';
import type { RuleContext } from '../rules/index.js';
import type { LoadedConfig } from '../config/index.js';
import { costOf, priceOf } from '../pricing/index.js';
import type { TargetState } from '../targets/index.js';
import type { Stats } from '../stats/index.js';
import { recordSpend, spentThisMonth } from '../store/index.js';
import { stateDir } from '../store/index.js';
import type { LlmAnswer } from './answer.js';
import { cleanText } from './answer.js';
import type { Rejection } from './guardrails.js';
import type { RenderedPrompt } from './prompt.js';

/** What the run says about the LLM step: the `llm` object of `--json` and the report's cost line. */
export interface LlmUsage {
  used: boolean;
  outcome: 'answered' | 'fallback' | 'skipped';
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** null only when the tuning model has no price. */
  cost_usd: number | null;
  latency_ms: number;
  requests: number;
  repaired: boolean;
  batched: boolean;
  note: string;
}

export interface LlmStepResult {
  changes: Change[];
  rejected: Rejection[];
  considered: Rejection[];
  llm: LlmUsage;
  prompt: RenderedPrompt | null;
  text: Pick<LlmAnswer, 'summary' | 'advice' | 'caveats'> | null;
}

export interface LlmStepInput {
  loaded: LoadedConfig;
  stats: Stats;
  targets: TargetState;
  ctx: RuleContext;
  analysis: Analysis;
  env: NodeJS.ProcessEnv;
  showPrompt: boolean;
  dryRun: boolean;
  now: Date;
  signal?: AbortSignal;
  /** Waste found in the window's agent sessions: its aggregates go into the prompt. */
  waste?: WasteReport | undefined;
}

const SKIPPED = {
  used: false,
  outcome: 'skipped',
  model: null,
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  cost_usd: 0,
  latency_ms: 0,
  requests: 0,
  repaired: false,
  batched: false,
} as const;

/**
 * The LLM stage. Without a key, with the LLM disabled, or over the monthly budget, the rule
 * candidates stand alone and the run says why; every failure of the call itself does the same.
 */
export async function runLlmStep(i: LlmStepInput): Promise<LlmStepResult> {
  const { config } = i.loaded;
  const llmConfig = config.llm;
  const rulesOnly = (note: string, extra: Partial<LlmUsage> = {}, prompt: RenderedPrompt | null = null): LlmStepResult => ({
    changes: i.analysis.changes,
    rejected: [],
    considered: [],
    llm: { ...SKIPPED, ...extra, note: `mechanical rules only (${note})` },
    prompt,
    text: null,
  });

  const apiKey = i.env['ANTHROPIC_API_KEY'];
  const wantsCall = llmConfig.enabled && !!apiKey;
  let prompt: RenderedPrompt | null = null;
  if (wantsCall || i.showPrompt) prompt = await render(i);
  if (!llmConfig.enabled) return rulesOnly('llm.enabled is false', {}, prompt);
  if (!apiKey) return rulesOnly('no ANTHROPIC_API_KEY set', {}, prompt);

  const dir = stateDir(i.loaded.file, config.state.dir ? resolve(dirname(i.loaded.file), config.state.dir) : undefined, i.env);
  if (llmConfig.monthly_budget_usd !== null) {
    const spent = await spentThisMonth(dir, i.now);
    if (spent >= llmConfig.monthly_budget_usd) {
      return rulesOnly(`the tuner's LLM budget for ${i.now.toISOString().slice(0, 7)} is spent: ${usd(spent)} of ${usd(llmConfig.monthly_budget_usd)}`, {}, prompt);
    }
  }

  const { askForProposal } = await import('./client.js');
  const result = await askForProposal(prompt!, {
    apiKey,
    baseURL: i.env['ANTHROPIC_BASE_URL'] || undefined,
    model: llmConfig.model,
    maxTokens: llmConfig.max_tokens,
    timeoutMs: llmConfig.timeout_seconds * 1000,
    maxRetries: llmConfig.max_retries,
    batch: { enabled: llmConfig.batch, pollMs: llmConfig.batch_poll_seconds * 1000, deadlineMs: llmConfig.batch_deadline_minutes * 60_000 },
    signal: i.signal,
  });
  const price = priceOf(i.loaded.pricing, llmConfig.model);
  const mix = (u: typeof result.usage) => ({ input: u.input_tokens, output: u.output_tokens, cache_creation: u.cache_creation_input_tokens, cache_read: u.cache_read_input_tokens });
  // Batch tokens are billed at half price.
  const cost = price ? costOf(price, mix(result.usage)) - costOf(price, mix(result.batch_usage)) / 2 : null;
  const measured = {
    used: result.requests > 0 || result.batched,
    model: llmConfig.model,
    ...result.usage,
    cost_usd: cost,
    latency_ms: result.latency_ms,
    requests: result.requests,
    repaired: result.repaired,
    batched: result.batched,
  };
  if (result.requests > 0 || result.usage.output_tokens > 0) {
    await recordSpend(dir, { ts: i.now.toISOString(), model: llmConfig.model, ...result.usage, cost_usd: cost ?? 0, dry_run: i.dryRun });
  }
  if (!result.answer) return rulesOnly(result.failure ?? 'no answer', { ...measured, outcome: 'fallback' }, prompt);

  const [{ guard }, { mergeWithRules }] = await Promise.all([import('./guardrails.js'), import('./merge.js')]);
  // A proposal has at most a few changes per key the targets hold: an answer with thousands is weighed
  // only as far as that, and the report stays readable.
  const proposed = result.answer.changes.length;
  const answer = proposed > MAX_ANSWER_CHANGES ? { ...result.answer, changes: result.answer.changes.slice(0, MAX_ANSWER_CHANGES) } : result.answer;
  const guarded = guard(answer, i.ctx, llmConfig.guardrails);
  const merged = mergeWithRules(i.analysis.changes, guarded, answer);
  // The model's changes pass the same last gate as the rules' (cool-down, cap after model).
  const held = holdBack(i.ctx, merged.changes, i.analysis.outcomes);
  const heldBack = merged.changes.filter((c) => !held.changes.includes(c));
  return {
    changes: held.changes,
    rejected: [...guarded.rejected, ...heldBack.map((c, k) => ({ change: c, reason: held.findings[k]?.message ?? 'held back' }))],
    considered: merged.considered,
    llm: {
      ...measured,
      outcome: 'answered',
      note: `${llmConfig.model} chose among and explained the changes${result.repaired ? ' (after one repair)' : ''}; ${guarded.accepted.length} accepted, ${guarded.rejected.length} rejected by the guardrails${proposed > MAX_ANSWER_CHANGES ? `; it proposed ${proposed} changes, of which the first ${MAX_ANSWER_CHANGES} were weighed` : ''}; every figure is computed by code`,
    },
    prompt,
    text: {
      summary: cleanText(result.answer.summary, 1200),
      advice: result.answer.advice.slice(0, 10).map((a) => cleanText(a)),
      caveats: result.answer.caveats.slice(0, 10).map((c) => cleanText(c)),
    },
  };
}

/** The most changes of one answer that are weighed. */
const MAX_ANSWER_CHANGES = 100;

async function render(i: LlmStepInput): Promise<RenderedPrompt> {
  const [{ buildPromptView }, { renderPrompt }] = await Promise.all([import('./view.js'), import('./prompt.js')]);
  const { config } = i.loaded;
  return renderPrompt(
    buildPromptView({
      project: config.project,
      stats: i.stats,
      targets: i.targets,
      ladders: config.models.ladders,
      ciLadder: config.rules.ci.ladder,
      candidates: i.analysis.changes,
      waste: i.waste,
    }),
  );
}

const usd = (x: number): string => `$${x.toFixed(x < 1 ? 4 : 2)}`;
