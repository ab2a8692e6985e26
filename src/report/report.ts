import { changeKey, isDefaultEntry, type Change } from '../targets/index.js';
import type { Finding, Outcome } from '../rules/index.js';
import type { BudgetLine } from '../budget/index.js';
import { scopeName } from '../budget/index.js';
import type { Stats } from '../stats/index.js';
import { daysWithData, sum } from '../stats/index.js';
import { tokensLostToFailures } from '../stats/index.js';
import type { LlmUsage } from '../llm/index.js';
import type { Rejection } from '../llm/index.js';
import type { FileResult } from '../targets/index.js';
import type { WasteReport } from '../waste/index.js';
import { wasteMarkdown } from './waste.js';
import { cell, fmtPct, fmtSeconds, fmtSignedPct, fmtTokens, fmtUsd, fmtValue, plural } from '../common/index.js';

export interface ReportInput {
  project: string;
  generatedAt: string;
  stats: Stats;
  changes: Change[];
  rejected: Rejection[];
  considered: Rejection[];
  llmText: { summary: string; advice: string[]; caveats: string[] } | null;
  findings: Finding[];
  files: FileResult[];
  caps: Record<string, number>;
  ciProfiles: Record<string, string>;
  llm: LlmUsage;
  skippedLines: number;
  /** Sessions two sources both report, whose requests count twice (IngestSummary.counted_twice). */
  countedTwice?: { formats: string[]; sessions: number; first_day: string; last_day: string }[];
  /** What moved since the last proposal, per the drift gate. */
  drift?: string[];
  /** No-op checks in a row before this run. */
  noopStreak?: number;
  /** Which model table (prices, retirements) the run used, and its date. */
  modelTable?: string;
  /** Lines skipped by earlier runs that showed no report (nightly checks). */
  earlierSkipped?: { at: string; file: string; line: number; reason: string }[];
  /** Changes of earlier proposals the targets hold, judged against their baselines. */
  outcomes?: Outcome[];
  /** Where each change is written, by change key (targets' placeOf). */
  where?: Record<string, string>;
  /** Turn budgets the targets set, by task and phase. */
  turnBudgets?: Record<string, Record<string, number>>;
  /** The monthly budgets, where the config sets any. */
  budget?: BudgetLine[];
  /** Waste found in the window's agent sessions (Claude Code transcripts). */
  waste?: WasteReport;
}

/** The Markdown report, in the structure of the cost-tuning brief. A pure function of its input. */
export function renderReport(r: ReportInput): string {
  const s = r.stats;
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const projection = projectionOf(r.stats, r.changes);

  push(`# Cost / Budget Tuning Report: ${cell(r.project)}`, '');
  push(`**Generated**: ${r.generatedAt}  `, `**Analysis period**: ${s.window.since} to ${s.window.until} (${s.window.days} days)  `);
  const taskRuns = s.tasks.reduce((a, t) => a + t.runs, 0);
  push(
    `**Runs analysed**: ${s.categories.length || !s.tasks.length ? `${s.runs.count} runs, ${s.phases} phases, ${s.categories.length} categories` : `${taskRuns} runs of ${plural(s.tasks.length, 'scheduled task')}`}  `,
  );
  push(`**Proposal source**: ${cell(r.llm.note)}  `);
  push(`**Tuner's own cost**: ${tunerCost(r.llm)}  `);
  push(`**Why now**: ${r.drift?.length ? cell(r.drift.slice(0, 5).join('; ')) + (r.drift.length > 5 ? `; and ${r.drift.length - 5} more` : '') : 'forced run'}  `);
  if (r.modelTable) push(`**Model table**: ${cell(r.modelTable)}  `);
  push(`**No-op checks before this run**: ${r.noopStreak ?? 0}`, '');

  push('## Executive summary', '');
  push(summarySentence(r, projection), '');
  if (r.llmText?.summary) push(`> ${cell(r.llmText.summary)}`, '');
  push(`**Current average cost**: ${fmtTokens(s.per_run.mean_total_tokens)} tokens, ${fmtUsd(s.per_run.mean_cost_usd)} per run  `);
  push(`**Projected**: ${fmtTokens(projection.tokens)} tokens (${fmtSignedPct(projection.tokensChange)}), ${fmtUsd(projection.usd)} per run (${fmtSignedPct(projection.usdChange)})`, '');
  const top = [...r.changes].sort((a, b) => a.effect.usd_per_run - b.effect.usd_per_run || a.effect.tokens_per_run - b.effect.tokens_per_run).slice(0, 3);
  if (top.length) {
    push('**Key opportunities**:');
    top.forEach((c, i) => push(`${i + 1}. ${describe(c)}`));
    push('');
  }

  if (r.budget?.length) {
    push('## Budgets', '', '| Budget | Month | Spent | Share | Projected by month end | Thresholds reached |', '|---|---|---:|---:|---:|---|');
    for (const l of r.budget) {
      push(
        `| ${cell(scopeName(l.scope))}: ${fmtUsd(l.budget)} | ${l.period} (day ${l.days_elapsed} of ${l.days_in_month}) | ${fmtUsd(l.spent)} | ${fmtPct(l.share)} | ${fmtUsd(l.projected)} (${l.projection === 'weekday' ? 'by day of week' : 'linear'}) | ${l.reached.map((t) => fmtPct(t)).join(', ') || 'none'} |`,
      );
    }
    push('');
  }

  const outcomes = r.outcomes ?? [];
  if (outcomes.length) {
    push('## Changes already applied: projected vs realised', '');
    push('Each change of an earlier proposal that the targets hold, judged only by what ran under it since.', '');
    push('| Change | Applied | Since | Projected | Realised | Verdict |', '|---|---|---:|---|---|---|');
    for (const o of outcomes) {
      push(
        `| ${describe(o.change)} | ${o.applied_at.slice(0, 10)} | ${o.phases_since} | ${cell(figures(o.projected))} | ${cell(figures(o.realised))} | ${o.verdict === 'worse' ? '**worse**: revert proposed' : o.verdict} |`,
      );
    }
    push('');
  }

  push('## Cost breakdown', '', '**Per run (mean)**:');
  const mean = (col: Float64Array) => (s.runs.count ? sum(col) / s.runs.count : 0);
  const total = s.per_run.mean_total_tokens || 1;
  const callsOnly = !s.categories.length && !s.tasks.length;
  push(`- Total: ${fmtTokens(s.per_run.mean_total_tokens)} tokens: ${callsOnly ? "the agents' calls (no phases)" : "the phases' own counts and the auxiliary agents' calls"}`);
  // A fleet of agents alone has no builder, auditor or CI: its calls are shown by model and role below.
  if (callsOnly) push(`- By model and role in the table below${s.work.length ? ', by agent in Agents' : ''}`);
  else if (s.categories.length) {
    // One figure per fact: the phases' tokens are the run's core work; the call records only say how it
    // splits between builder and auditor (the two count differently, and their sums need not agree).
    const split = splitCore(s.runs);
    if (split.told > 0) {
      push(`- Builder: ${fmtTokens(mean(split.builder))} tokens (${fmtPct(mean(split.builder) / total)})`);
      push(`- Auditor: ${fmtTokens(mean(split.auditor))} tokens (${fmtPct(mean(split.auditor) / total)})`);
      if (split.told < s.runs.count)
        push(
          `- Builder and auditor not told apart: ${fmtTokens(mean(split.untold))} tokens (${fmtPct(mean(split.untold) / total)}), in ${plural(s.runs.count - split.told, 'run')} without call records`,
        );
    } else push(`- Builder and auditor: ${fmtTokens(mean(s.runs.core_tokens))} tokens (${fmtPct(mean(s.runs.core_tokens) / total)}), not told apart (no call records)`);
    push(`- Auxiliary agents: ${fmtTokens(s.per_run.mean_aux_tokens)} tokens (${fmtPct(s.per_run.mean_aux_tokens / total)})`);
    if (split.told > 0)
      push(
        `- Builder and auditor are the phases' tokens split by each run's call records (calls: builder ${fmtTokens(mean(s.runs.builder_tokens))}, auditor ${fmtTokens(mean(s.runs.auditor_tokens))} a run)`,
      );
    push(`- CI overhead: ~${fmtTokens(mean(s.runs.ci_tokens))} tokens-equivalent (not included in the total)`);
  } else push('- Per task: see Scheduled tasks below');
  push('');
  if (s.categories.length) {
    push('**Per category**:', '', '| Category | Phases | Avg tokens | % of phase tokens | Success | Retries/phase | Cost in window (USD) |', '|---|---:|---:|---:|---:|---:|---:|');
    const phaseTokens = s.categories.reduce((a, c) => a + c.tokens_total, 0) || 1;
    for (const c of s.categories) {
      const warn = c.success_rate < 0.75 ? ' ⚠️' : '';
      push(
        `| ${cell(c.category)} | ${c.phases} | ${fmtTokens(c.tokens_mean)} | ${fmtPct(c.tokens_total / phaseTokens)} | ${fmtPct(c.success_rate)}${warn} | ${c.retries_per_phase.toFixed(2)} | ${c.unpriced_phases === c.phases ? 'unpriced' : fmtUsd(c.cost_usd)} |`,
      );
    }
    push('');
  }
  if (s.models.length) {
    push('**Per model and role** (call records):', '', '| Model | Role | Calls | Input | Output | Cache write | Cache read | Cost (USD) |', '|---|---|---:|---:|---:|---:|---:|---:|');
    for (const m of s.models) {
      push(
        `| ${cell(m.model)} | ${cell(m.role)} | ${m.calls} | ${fmtTokens(m.input)} | ${fmtTokens(m.output)} | ${fmtTokens(m.cache_creation)} | ${fmtTokens(m.cache_read)} | ${fmtUsd(m.cost_usd)} |`,
      );
    }
    push('');
  }
  if (s.totals.unpriced_models.length) push(`Unpriced models (no entry in the price table; their cost is not counted): ${s.totals.unpriced_models.map(cell).join(', ')}.`, '');

  push('## Model selection', '');
  const names = r.findings.filter(isModelNote);
  if (names.length) {
    push('**Models: names, ladders and evidence**:', '');
    for (const f of names) push(`- ${cell(f.message)}`);
    push('');
  }
  const migrations = r.changes.filter((c) => c.evidence.migration !== undefined);
  const reverts = r.changes.filter((c) => c.evidence.reverts !== undefined);
  const tuned = r.changes.filter((c) => c.kind === 'model' && !migrations.includes(c) && !reverts.includes(c));
  if (migrations.length) migrationSection(push, migrations);
  if (reverts.length) section(push, '### Reverts of applied changes that did worse', reverts, '', r.where);
  section(
    push,
    '### Downgrade candidates',
    tuned.filter((c) => c.direction === 'down'),
    'None: no category is both easy for its model and well under its cap.',
    r.where,
  );
  section(
    push,
    '### Upgrade candidates (pilots)',
    tuned.filter((c) => c.direction === 'up'),
    'None: no category fails and retries enough to justify a stronger model.',
    r.where,
  );

  if (s.work.length || r.changes.some((c) => c.subject === 'agent')) agentSection(r, push, reverts);
  if (s.tasks.length) taskSection(r, push, reverts);
  // A fleet of scheduled tasks or agents alone has no caps, CI or run budgets: their sections would stay empty.
  if (!s.categories.length && (s.tasks.length || s.work.length)) return closing(r, push, out);

  push('## Budget cap adjustments', '', '| Category | Current cap | P50 | P95 | Utilisation (P95) | Truncations | Proposed |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const c of s.categories) {
    const cap = r.caps[c.category];
    if (cap === undefined) continue;
    const change = r.changes.find((x) => x.kind === 'token_cap' && x.category === c.category);
    const u = c.percentiles.p95 / cap;
    push(
      `| ${cell(c.category)} | ${fmtTokens(cap)} | ${fmtTokens(c.percentiles.p50)} | ${fmtTokens(c.percentiles.p95)} | ${fmtPct(u)}${u > 0.95 ? ' ⚠️' : ''} | ${c.truncations} | ${change ? `**${fmtTokens(Number(change.to))}**` : 'no change'} |`,
    );
  }
  push('', 'The table counts every phase of the window; each change below counts only the phases under the cap and model in force (its evidence gives how many).', '');
  for (const c of r.changes.filter((x) => x.kind === 'token_cap' && !reverts.includes(x)))
    push(`- **${cell(c.category ?? '')}**: ${cell(fmtValue(c.from))} → ${cell(fmtValue(c.to))}. ${cell(c.rationale)}`);
  push('');

  push('## CI profile optimisation', '');
  if (s.tiers.length) {
    push('| Tier | Days | Profile(s) | CI runs | Caught | False positives | CI tokens |', '|---|---:|---|---:|---:|---:|---:|');
    for (const t of s.tiers)
      push(`| ${cell(t.tier_id)} | ${t.days} | ${cell(t.ci_profiles.join(', ') || '—')} | ${t.ci_runs} | ${t.ci_failures_caught} | ${t.ci_false_positives} | ${fmtTokens(t.ci_tokens)} |`);
    push('', "CI is recorded per tier; per-category figures share each tier's CI of a day out by the category's share of the tier's phases that day.", '');
    push('| Category | Current profile | CI runs (attributed) | Catch rate | False-alarm rate | Failed after CI ran | Proposed |', '|---|---|---:|---:|---:|---:|---|');
    for (const c of s.categories) {
      const profile = r.ciProfiles[c.category];
      if (profile === undefined || c.ci.attributed_runs === 0) continue;
      const change = r.changes.find((x) => x.kind === 'ci_profile' && x.category === c.category);
      push(
        `| ${cell(c.category)} | ${cell(profile)} | ${c.ci.attributed_runs.toFixed(0)} | ${fmtPct(c.ci.catch_rate, 1)} | ${fmtPct(c.ci.false_positive_rate, 1)} | ${fmtPct(c.ci.escape_rate, 1)} | ${change ? `**${cell(String(change.to))}**` : 'no change'} |`,
      );
    }
    push('');
  }
  section(
    push,
    '### CI changes',
    r.changes.filter((c) => c.kind === 'ci_profile'),
    'No CI profile change.',
    r.where,
  );

  push('## Run-level budget', '');
  section(
    push,
    '',
    r.changes.filter((c) => c.kind === 'run_budget'),
    'No run budget change.',
    r.where,
  );

  push('## Failure cost analysis', '');
  const failing = s.categories
    .filter((c) => c.failure_cost_multiple !== null && c.phases - c.outcomes.success > 0)
    .sort((a, b) => waste(b) - waste(a))
    .slice(0, 5);
  if (failing.length) {
    push('| Category | Failures | Mean tokens (success) | Mean tokens (failed, retries incl.) | Multiple | Tokens lost |', '|---|---:|---:|---:|---:|---:|');
    for (const c of failing) {
      push(
        `| ${cell(c.category)} | ${c.phases - c.outcomes.success} of ${c.phases} | ${fmtTokens(c.mean_tokens_success ?? 0)} | ${fmtTokens(c.mean_tokens_failed ?? 0)} | ${(c.failure_cost_multiple ?? 0).toFixed(1)}× | ${fmtTokens(waste(c))} |`,
      );
    }
  } else push('No failed phases in the window.');
  push('');

  push('## Cost trend', '');
  const last = s.runs.recent;
  if (last.length) {
    push('| Run | Started | Total tokens | Builder | Auditor | Auxiliary | Failures |', '|---|---|---:|---:|---:|---:|---:|');
    for (const run of last) {
      const calls = run.builder_tokens + run.auditor_tokens;
      const builder = calls > 0 ? fmtTokens((run.core_tokens * run.builder_tokens) / calls) : '—';
      const auditor = calls > 0 ? fmtTokens((run.core_tokens * run.auditor_tokens) / calls) : '—';
      push(
        `| ${cell(run.run_id)} | ${new Date(run.started_ts).toISOString().slice(0, 16).replace('T', ' ')} | ${fmtTokens(run.total_tokens)} | ${builder} | ${auditor} | ${fmtTokens(run.aux_tokens)} | ${run.failures} |`,
      );
    }
    push('', "Builder and auditor split each run's phase tokens by its call records; a run without them shows —.");
    push('');
  }
  const t = s.trend;
  push(
    t.direction === 'unknown'
      ? '**Trend**: too few runs to tell.'
      : `**Trend**: ${{ declining: '↓ declining', rising: '↑ rising', flat: '→ flat' }[t.direction]} — mean run ${fmtTokens(t.first_half_mean ?? 0)} in the older half of the window, ${fmtTokens(t.second_half_mean ?? 0)} in the newer (${fmtSignedPct(t.change ?? 0)}).`,
    '',
  );

  return closing(r, push, out);
}

/** The sections every report ends with: the diffs, what was kept, and the caveats. */
function closing(r: ReportInput, push: (...l: string[]) => void, out: string[]): string {
  if (r.waste) push('## Waste in agent sessions', '', wasteMarkdown(r.waste, cell));
  push('## Config file updates', '');
  if (r.files.length) for (const f of r.files) push(`### ${f.display}`, '', '```diff', f.diff.trimEnd(), '```', '');
  else push('No file changes.', '');

  const notes = r.findings.filter((f) => f.kind !== 'keep' && f.kind !== 'cost_spike' && !isModelNote(f));
  const kept = r.findings.filter((f) => f.kind === 'keep');
  if (kept.length || notes.length) {
    push('## Kept and not changed', '');
    for (const f of [...kept, ...notes]) push(`- ${cell(f.message)}`);
    push('');
  }
  if (r.considered.length) {
    push('## Considered, not proposed', '');
    for (const x of r.considered) push(`- ${describePartial(x.change)}: ${cell(x.reason)}`);
    push('');
  }
  if (r.rejected.length) {
    push('## Rejected LLM proposals', '', 'Checked against the statistics by code and refused:', '');
    for (const x of r.rejected) push(`- ${describePartial(x.change)}: ${cell(x.reason)}`);
    push('');
  }
  if (r.llmText && (r.llmText.advice.length || r.llmText.caveats.length)) {
    push('## Advice from the analysis (not applied)', '');
    for (const a of r.llmText.advice) push(`- ${cell(a)}`);
    for (const c of r.llmText.caveats) push(`- Caveat: ${cell(c)}`);
    push('');
  }

  push('## Confidence and caveats', '');
  const byConf = (k: string) => r.changes.filter((c) => c.confidence === k).length;
  push(`- Confidence: ${byConf('high')} high, ${byConf('medium')} medium, ${byConf('low')} low.`);
  push('- Every figure here is computed from telemetry by code; phase costs use the blended price of the builder model at its observed token mix.');
  if (r.changes.some((c) => c.pilot)) push('- Upgrades are pilots: try them on the next runs and compare success and retries before rolling out.');
  push('- Projections assume the coming runs look like the analysed ones; validate changes over 3–5 runs.');
  if (r.skippedLines) push(`- ${plural(r.skippedLines, 'telemetry line was', 'telemetry lines were')} skipped as malformed in this run (listed on stderr).`);
  for (const t of r.countedTwice ?? [])
    push(
      `- ${plural(t.sessions, 'session')} of ${t.first_day} … ${t.last_day} ${t.sessions === 1 ? 'is' : 'are'} read from both ${t.formats.join(' and ')}: their requests count twice in the spend above. Read Claude Code through one of them.`,
    );
  const earlier = r.earlierSkipped ?? [];
  if (earlier.length) {
    push(`- ${plural(earlier.length, 'telemetry line was', 'telemetry lines were')} skipped by earlier checks:`);
    for (const l of earlier.slice(0, 20)) push(`  - ${cell(`${l.file}:${l.line}`)}: ${cell(l.reason)} (${l.at.slice(0, 10)})`);
    if (earlier.length > 20) push(`  - and ${earlier.length - 20} more`);
  }
  push('');
  return out.join('\n');
}

/** Scheduled agent tasks: what each ran and cost, its phases' turn budgets, cadence changes and cost spikes. */
/** Subagents and other agents judged by their runs: how each went, and the changes of their turn bounds and effort. */
function agentSection(r: ReportInput, push: (...l: string[]) => void, reverts: readonly Change[]): void {
  push('## Agents', '');
  push('**Runs by agent and model**: a run dispatched again by its caller for the same work counts as failed; a run the user interrupted counts in no rate.', '');
  push('| Agent | Model | Runs | With outcome | Success | Dispatched again | Interrupted | Failed tool calls / run | P50 duration |', '|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const g of r.stats.work)
    push(
      `| ${cell(g.agent)} | ${cell(g.model ?? 'unknown')} | ${g.units} | ${g.with_outcome} | ${g.success_rate === null ? '—' : fmtPct(g.success_rate)} | ${g.redispatched} | ${g.interrupted} | ${g.tool_errors_per_unit === null ? '—' : g.tool_errors_per_unit.toFixed(2)} | ${g.duration_p50_ms === null ? '—' : `${(g.duration_p50_ms / 1000).toFixed(0)} s`} |`,
    );
  push('');
  section(
    push,
    '### Turn bound and effort changes',
    r.changes.filter((c) => c.subject === 'agent' && c.kind !== 'model' && !reverts.includes(c)),
    'No turn bound or effort change.',
    r.where,
  );
}

function taskSection(r: ReportInput, push: (...l: string[]) => void, reverts: readonly Change[]): void {
  const s = r.stats;
  push('## Scheduled tasks', '');
  push('Cost is as the runner resolved it (actual, else estimated); runs on a local model cost nothing and stay out of the means.', '');
  push('| Task | Runs | Success | No-op runs | Cost in window | Mean per run | No-op cost per day (days with runs) | Runs about every |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of s.tasks) {
    const local = t.local_runs === t.runs;
    const days = daysWithData(s.window, t.first_ts);
    push(
      `| ${cell(t.task)} | ${t.runs} | ${fmtPct(t.success_rate)} | ${t.noops} (${fmtPct(t.noop_share)}) | ${local ? 'local, $0' : fmtUsd(t.cost_usd)} | ${local ? '—' : fmtUsd(t.mean_cost_usd)} | ${local ? '—' : fmtUsd(t.noop_cost_usd / days)} | ${t.median_gap_s === null ? '—' : fmtSeconds(t.median_gap_s)} |`,
    );
  }
  push('');
  push(
    '**Turn budgets (maxTurns)**: turns used by the runs that finished a phase within its budget and succeeded; runs stopped at the budget (cap hits) are counted apart, as what they needed is unknown.',
    '',
  );
  push('| Task | Phase | Budget | Runs | Cap hits | P50 turns | P95 turns | Proposed |', '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const t of s.tasks) {
    for (const p of t.phases) {
      if (!p.runs) continue;
      const own = r.turnBudgets?.[t.task]?.[p.phase];
      const budget = own !== undefined ? String(own) : p.allowed_turns !== null ? `${p.allowed_turns} (definition's)` : "definition's";
      const change = r.changes.find((c) => c.kind === 'turn_budget' && c.category === t.task && c.key === p.phase);
      push(
        `| ${cell(t.task)} | ${cell(p.phase)} | ${budget} | ${p.runs} | ${p.cap_hits}${p.cap_hits / p.runs > 0.05 ? ' ⚠️' : ''} | ${p.turns ? p.turns.p50.toFixed(1) : '—'} | ${p.turns ? p.turns.p95.toFixed(1) : '—'} | ${change ? `**${change.to}**` : 'no change'} |`,
      );
    }
  }
  push('');
  section(
    push,
    '### Turn budget changes',
    r.changes.filter((c) => c.kind === 'turn_budget' && !reverts.includes(c)),
    'No turn budget change.',
    r.where,
  );
  section(
    push,
    '### Cadence changes',
    r.changes.filter((c) => c.kind === 'schedule' && !reverts.includes(c)),
    'No cadence change.',
    r.where,
  );
  const spikes = r.findings.filter((f) => f.kind === 'cost_spike');
  push('### Cost spikes', '');
  if (spikes.length) for (const f of spikes) push(`- ${cell(f.message)}`);
  else push('None: no task costs several times per run what it cost the span before.');
  push('');
}

/**
 * Migrations, one row per key with what the key is: a retiring model's references are many one-line
 * edits with one reason, so the reason is said once per model.
 */
function migrationSection(push: (...l: string[]) => void, migrations: Change[]): void {
  push('### Migrations off retiring models', '');
  const byModel = new Map<string, Change[]>();
  for (const c of migrations) byModel.set(String(c.from), [...(byModel.get(String(c.from)) ?? []), c]);
  for (const [model, changes] of byModel) {
    const first = changes[0]!;
    push(`${cell(first.rationale)} ${plural(changes.length, 'key')} ${changes.length === 1 ? 'names' : 'name'} ${cell(model)}:`, '');
    push('| Key | What it is | Change | Priced on | Effect per run |', '|---|---|---|---|---|');
    for (const c of changes) {
      push(
        `| ${cell(c.key ?? describe(c))} | ${cell(String(c.evidence.place ?? c.role ?? ''))} | ${cell(fmtValue(c.from))} → ${cell(fmtValue(c.to))} | ${cell(String(c.evidence.priced_on ?? ''))} | ${effectText(c)} |`,
      );
    }
    push('', `Risk: ${cell(first.risk)}`, '');
  }
}

function section(push: (...l: string[]) => void, title: string, changes: Change[], none: string, whereOf?: Record<string, string>): void {
  if (title) push(title, '');
  if (!changes.length) {
    push(none, '');
    return;
  }
  changes.forEach((c, i) => {
    push(`#### ${i + 1}. ${describe(c)}${c.pilot ? ' (pilot)' : ''}`, '');
    push(cell(c.rationale), '');
    const where = whereOf?.[changeKey(c)];
    if (where) push(`- Where: ${cell(where)}`);
    push(
      `- Evidence: ${cell(
        Object.entries(c.evidence)
          .map(([k, v]) => `${k} = ${v === null ? 'n/a' : v}`)
          .join(', '),
      )}`,
    );
    push(`- Expected effect per run: ${effectText(c)}`);
    push(`- Risk: ${cell(c.risk)}`, `- Confidence: ${c.confidence}; source: ${c.source}`, '');
  });
}

export function describe(c: Pick<Change, 'kind' | 'category' | 'complexity' | 'key' | 'from' | 'to'>): string {
  const what =
    c.kind === 'model'
      ? c.key !== null
        ? `${c.key}`
        : isDefaultEntry(c.category)
          ? `default model${c.complexity ? ` at ${c.complexity} complexity` : ''}`
          : `${c.category}${c.complexity ? ` (${c.complexity})` : ''} model`
      : c.kind === 'token_cap'
        ? `${c.category} incident cap`
        : c.kind === 'ci_profile'
          ? `${c.category} CI profile`
          : c.kind === 'turn_budget'
            ? `${c.category}${c.key === null ? '' : ` ${c.key}`} maxTurns`
            : c.kind === 'schedule'
              ? `${c.category} intervalSeconds`
              : c.kind === 'effort'
                ? `${c.category} effort`
                : `${c.key}`;
  return `${cell(what)}: ${cell(fmtValue(c.from))} → ${cell(fmtValue(c.to))}`;
}

function tunerCost(l: LlmUsage): string {
  if (!l.used) return 'no LLM call, $0';
  const tokens = `${fmtTokens(l.input_tokens)} input, ${fmtTokens(l.cache_read_input_tokens)} cache read, ${fmtTokens(l.cache_creation_input_tokens)} cache write, ${fmtTokens(l.output_tokens)} output tokens`;
  return `${cell(l.model ?? '')}, ${plural(l.requests, 'request')}${l.batched ? ' (batch, half price)' : ''}, ${tokens}, ${fmtUsd(l.cost_usd)}, ${(l.latency_ms / 1000).toFixed(1)} s`;
}

/** Findings about which model is configured and what ran: shown with the model decisions. */
const isModelNote = (f: Finding): boolean => f.kind === 'model_name' || f.kind === 'model_mismatch' || (f.kind === 'needs_more_data' && f.area === 'model');

/** What a change does per run, with signs that say what they mean. */
export function effectText(c: Pick<Change, 'kind' | 'effect'>): string {
  const parts: string[] = [];
  const t = c.effect.tokens_per_run;
  const usd = c.effect.usd_per_run;
  if (c.kind === 'ci_profile') {
    if (Math.round(t) !== 0) parts.push(`${t > 0 ? '+' : ''}${fmtTokens(t)} tokens-equivalent of CI (${t > 0 ? 'more' : 'less'} CI work; CI is not priced)`);
  } else if (Math.round(t) !== 0) parts.push(`${t > 0 ? '+' : ''}${fmtTokens(t)} tokens`);
  if (Math.abs(usd) >= 0.005) parts.push(usd < 0 ? `${fmtUsd(usd)}, a saving` : `+${fmtUsd(usd)}, an added cost`);
  if (!parts.length) return c.kind === 'token_cap' || c.kind === 'run_budget' ? 'none on spend: a ceiling changes what may be spent, not what is' : 'none measurable';
  return parts.join('; ');
}

/** Key figures of an outcome, as one short line. */
function figures(f: Record<string, number | null>): string {
  const shown = Object.entries(f).filter(([, v]) => v !== null);
  if (!shown.length) return '—';
  return shown.map(([k, v]) => `${k.replace(/_/g, ' ')} ${k.includes('rate') || k.includes('utilisation') ? fmtPct(v) : k.includes('usd') ? fmtUsd(v) : fmtValue(v)}`).join(', ');
}

function describePartial(c: Partial<Change>): string {
  return describe({ kind: c.kind ?? 'model', category: c.category ?? null, complexity: c.complexity ?? null, key: c.key ?? null, from: c.from ?? null, to: c.to ?? '?' });
}

const waste = tokensLostToFailures;

/** The average run now and with the changes applied: the report's and the PR's headline. */
export function projectionOf(s: Stats, changes: readonly Change[]) {
  const dTokens = changes.filter((c) => c.kind === 'model').reduce((a, c) => a + c.effect.tokens_per_run, 0);
  const dUsd = changes.reduce((a, c) => a + c.effect.usd_per_run, 0);
  const tokens = s.per_run.mean_total_tokens + dTokens;
  const usd = s.per_run.mean_cost_usd + dUsd;
  return {
    tokens,
    usd,
    tokensChange: s.per_run.mean_total_tokens ? dTokens / s.per_run.mean_total_tokens : 0,
    usdChange: s.per_run.mean_cost_usd ? dUsd / s.per_run.mean_cost_usd : 0,
  };
}

function summarySentence(r: ReportInput, p: ReturnType<typeof projectionOf>): string {
  const n = r.changes.length;
  if (!n) return `No change is proposed: over ${r.stats.runs.count} runs no category crossed a tuning threshold.`;
  const pilots = r.changes.filter((c) => c.pilot).length;
  return `${n} change${n === 1 ? '' : 's'} proposed${pilots ? `, ${pilots} of them pilot${pilots === 1 ? '' : 's'}` : ''}; together they move the average run from ${fmtUsd(r.stats.per_run.mean_cost_usd)} to ${fmtUsd(p.usd)} (${fmtSignedPct(p.usdChange)}).`;
}

/** Each run's phase tokens split between builder and auditor by that run's call records. */
function splitCore(runs: Stats['runs']): { builder: Float64Array; auditor: Float64Array; untold: Float64Array; told: number } {
  const n = runs.count;
  const builder = new Float64Array(n);
  const auditor = new Float64Array(n);
  const untold = new Float64Array(n);
  let told = 0;
  for (let k = 0; k < n; k++) {
    const calls = runs.builder_tokens[k]! + runs.auditor_tokens[k]!;
    if (calls > 0) {
      told++;
      builder[k] = (runs.core_tokens[k]! * runs.builder_tokens[k]!) / calls;
      auditor[k] = runs.core_tokens[k]! - builder[k]!;
    } else untold[k] = runs.core_tokens[k]!;
  }
  return { builder, auditor, untold, told };
}
