import { readFile } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import { analyze } from './analysis/analyze.js';
import type { Change, Finding } from './analysis/change.js';
import type { RuleContext } from './analysis/context.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import type { LlmUsage } from './llm/step.js';
import type { Rejection } from './llm/guardrails.js';
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
  /** Dry runs write nothing but the tuner's own spend ledger. */
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export interface ProposalResult {
  status: 'proposal';
  window: Window;
  changes: Change[];
  rejected: Rejection[];
  considered: Rejection[];
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

  const { runLlmStep } = await import('./llm/step.js');
  const step = await runLlmStep({
    loaded,
    stats,
    targets,
    ctx,
    analysis,
    env: opts.env ?? process.env,
    showPrompt: opts.showPrompt ?? false,
    dryRun: opts.dryRun ?? true,
    now: opts.now ?? new Date(),
  });
  const { llm, prompt } = step;
  const files = applyChanges(step.changes, targets);
  const report = renderReport({
    project: config.project,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    stats,
    changes: step.changes,
    rejected: step.rejected,
    considered: step.considered,
    llmText: step.text,
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
    changes: step.changes,
    rejected: step.rejected,
    considered: step.considered,
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

