import { readFile } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import { analyze } from './analysis/analyze.js';
import type { Change, Finding } from './analysis/change.js';
import type { RuleContext } from './analysis/context.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { ConfigError } from './config/errors.js';
import { blendedPricePerToken, priceOf, resolveModel } from './pricing/cost.js';
import { applyChanges, type FileResult } from './proposal/apply.js';
import { renderReport } from './proposal/report.js';
import { readTargets, type TargetFile, type TargetState } from './proposal/targets.js';
import { computeStats, defaultMix } from './stats/compute.js';
import type { Stats, Window } from './stats/types.js';
import { resolveWindow } from './stats/window.js';
import { emptyRollups } from './store/rollup.js';
import { ingestSources, type IngestSummary } from './telemetry/ingest.js';

export interface TuneOptions {
  configPath: string;
  since?: string;
  until?: string;
  showPrompt?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export interface LlmUsage {
  used: boolean;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** Why the LLM was or was not used, for the report and logs. */
  note: string;
}

export interface ProposalResult {
  status: 'proposal';
  window: Window;
  changes: Change[];
  rejected: { change: Partial<Change>; reason: string }[];
  findings: Finding[];
  files: FileResult[];
  report: string;
  prompt: { system: string; user: string } | null;
  ingest: IngestSummary;
  llm: LlmUsage;
  stats: Stats;
}

export type RunResult = ProposalResult;

/** One tuning run, from config to report and diffs. Nothing is written: publishing is a separate stage. */
export async function runTune(opts: TuneOptions): Promise<RunResult> {
  const loaded = await loadConfig(opts.configPath);
  const { config } = loaded;
  const targets = readTargets(await readTargetFiles(loaded));

  const rollups = emptyRollups();
  const ingest = await ingestSources(loaded.sources, rollups, {
    workers: config.ingest.workers,
    parallelMinBytes: config.ingest.parallel_min_bytes,
  });
  if (rollups.records === 0) throw new ConfigError(`no telemetry records in ${loaded.sources.map((s) => s.path).join(', ')}`);

  let range;
  try {
    range = resolveWindow({ days: config.window.days, since: opts.since, until: opts.until, maxTs: rollups.max_ts });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const stats = computeStats(rollups, { range, pricing: loaded.pricing, defaultOutputShare: config.pricing.default_output_share });
  const ctx = ruleContext(loaded, stats, targets);
  const analysis = analyze(ctx);

  let prompt: ProposalResult['prompt'] = null;
  if (opts.showPrompt) {
    const [{ buildPromptView }, { renderPrompt }] = await Promise.all([import('./llm/view.js'), import('./llm/prompt.js')]);
    const view = buildPromptView({
      project: config.project,
      stats,
      targets,
      ladders: config.models.ladders,
      ciLadder: config.rules.ci.ladder,
      candidates: analysis.changes,
    });
    prompt = await renderPrompt(view);
  }

  const llm = llmUsage(loaded, opts.env ?? process.env);
  const files = applyChanges(analysis.changes, targets);
  const report = renderReport({
    project: config.project,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    stats,
    changes: analysis.changes,
    rejected: [],
    findings: analysis.findings,
    files,
    caps: Object.fromEntries(Object.entries(targets.caps).map(([k, v]) => [k, v.value])),
    ciProfiles: Object.fromEntries(Object.entries(targets.ci).map(([k, v]) => [k, v.value])),
    llm,
    skippedLines: ingest.skipped,
  });
  return {
    status: 'proposal',
    window: stats.window,
    changes: analysis.changes,
    rejected: [],
    findings: analysis.findings,
    files,
    report,
    prompt,
    ingest,
    llm,
    stats,
  };
}

export function ruleContext(loaded: LoadedConfig, stats: Stats, targets: TargetState): RuleContext {
  const { config, pricing } = loaded;
  return {
    stats,
    targets,
    rules: config.rules,
    ladders: config.models.ladders,
    price: (model) => {
      const seen = stats.blended_price[model];
      if (seen !== undefined && seen !== null) return seen;
      const p = priceOf(pricing, model);
      return p ? blendedPricePerToken(p, defaultMix(config.pricing.default_output_share)) : null;
    },
    canonical: (model) => resolveModel(pricing, model) ?? model,
  };
}

async function readTargetFiles(loaded: LoadedConfig): Promise<TargetFile[]> {
  return Promise.all(
    loaded.targets.map(async (t, i) => {
      const display = displayPath(t.path);
      try {
        return { path: t.path, display, preset: t.preset, text: await readFile(t.path, 'utf8') };
      } catch {
        throw new ConfigError(`targets[${i}].path: cannot read ${display}`);
      }
    }),
  );
}

function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** The LLM step arrives with its own issue; until then every run is rules-only and says why. */
function llmUsage(loaded: LoadedConfig, env: NodeJS.ProcessEnv): LlmUsage {
  const base = { used: false, model: null, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  if (!loaded.config.llm.enabled) return { ...base, note: 'mechanical rules only (llm.enabled is false)' };
  if (!env['ANTHROPIC_API_KEY']) return { ...base, note: 'mechanical rules only (no ANTHROPIC_API_KEY set)' };
  return { ...base, note: 'mechanical rules only (this version does not call the LLM yet)' };
}
