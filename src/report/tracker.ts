import { cell, fmtInt, fmtPct, fmtUsd, plural } from '../common/index.js';
// Not stats/index.js: `tune log` loads this module and nothing it does not need.
import { percentileOfSorted } from '../stats/percentiles.js';

/**
 * The usage-tracker's reports (its spec's daily summary and periodic review), from its task logs.
 * Pure: tasks in, Markdown and recommendations out. Figures come from the logs as the tracker
 * estimated them; a cost a log left out is said, never guessed.
 */

export interface TrackedTask {
  task_id: string;
  ts: number;
  summary: string;
  entries: { agent: string; model: string; input_tokens: number | null; output_tokens: number | null; total_tokens: number | null; estimated_cost: number | null }[];
}

export interface Recommendation {
  type: 'model_selection' | 'context_reuse' | 'delegation_reduction';
  description: string;
  proposed_change: string;
}

const tokensOf = (e: TrackedTask['entries'][number]): number => e.total_tokens ?? (e.input_tokens ?? 0) + (e.output_tokens ?? 0);
const costOf = (t: TrackedTask): number => t.entries.reduce((a, e) => a + (e.estimated_cost ?? 0), 0);
const n = fmtInt;
// Code-point order: the collator localeCompare loads costs `tune log` ~8 ms.
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const firstLine = (s: string): string => s.split('\n')[0]!.trim().replace(/[.]+$/, '').slice(0, 160);
// The percentile every other figure uses (R-7: P50 of an even count is the mean of the middle two).
const median = (xs: number[]): number =>
  xs.length
    ? percentileOfSorted(
        [...xs].sort((a, b) => a - b),
        50,
      )
    : 0;

/** The next family down, for a candidate: a cheaper model that may suffice for small invocations. */
const DOWN: Record<string, { to: string; below: number }> = { opus: { to: 'sonnet', below: 20_000 }, sonnet: { to: 'haiku', below: 5_000 } };

/** Agents whose invocations stay small on a strong model: at least three, their median under the family's bound. */
function modelCandidates(tasks: readonly TrackedTask[]): { agent: string; model: string; to: string; runs: number; median: number }[] {
  const by = new Map<string, number[]>();
  for (const t of tasks) for (const e of t.entries) if (DOWN[e.model]) by.set(`${e.agent}\u0000${e.model}`, [...(by.get(`${e.agent}\u0000${e.model}`) ?? []), tokensOf(e)]);
  return [...by]
    .map(([k, xs]) => {
      const [agent, model] = k.split('\u0000') as [string, string];
      return { agent, model, to: DOWN[model]!.to, runs: xs.length, median: median(xs), below: DOWN[model]!.below };
    })
    .filter((c) => c.runs >= 3 && c.median < c.below)
    .sort((a, b) => byText(a.agent, b.agent));
}

/** Tasks that fanned out to four or more agents, some of which did under 5% of the task's tokens. */
function fanOuts(tasks: readonly TrackedTask[]): { task: string; agents: number; small: string[] }[] {
  return tasks.flatMap((t) => {
    const by = new Map<string, number>();
    for (const e of t.entries) by.set(e.agent, (by.get(e.agent) ?? 0) + tokensOf(e));
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    const small = [...by].filter(([, v]) => total > 0 && v / total < 0.05).map(([a]) => a);
    return by.size >= 4 && small.length ? [{ task: t.task_id, agents: by.size, small }] : [];
  });
}

/** Tasks costing over three times the median task of the set (with at least four tasks to compare). */
function expensive(tasks: readonly TrackedTask[]): { task: string; cost: number; median: number }[] {
  if (tasks.length < 4) return [];
  const m = median(tasks.map(costOf));
  return tasks.filter((t) => m > 0 && costOf(t) > 3 * m).map((t) => ({ task: t.task_id, cost: costOf(t), median: m }));
}

function anomalies(tasks: readonly TrackedTask[]): string[] {
  const out = expensive(tasks).map((x) => `**${cell(x.task)}** cost ${fmtUsd(x.cost)}, ${(x.cost / x.median).toFixed(1)}× the median task (${fmtUsd(x.median)}).`);
  const noCost = tasks.flatMap((t) => t.entries.filter((e) => e.estimated_cost === null).map(() => t.task_id));
  if (noCost.length) out.push(`${plural(noCost.length, 'entry', 'entries')} without a cost estimate (in ${[...new Set(noCost)].map(cell).join(', ')}): not counted in the costs above.`);
  return out;
}

export function recommendations(tasks: readonly TrackedTask[]): Recommendation[] {
  return [
    ...modelCandidates(tasks).map((c) => ({
      type: 'model_selection' as const,
      description: `${c.agent} ran on ${c.model} ${plural(c.runs, 'time')} with a median of ${n(c.median)} tokens an invocation: a candidate for ${c.to}. Check its success on ${c.to} before making it the default.`,
      proposed_change: `In claude/agents/build-lead.md, delegate ${c.agent} work on ${c.to} by default, and on ${c.model} only when the task needs it.`,
    })),
    ...fanOuts(tasks).map((f) => ({
      type: 'delegation_reduction' as const,
      description: `${f.task} fanned out to ${f.agents} agents; ${f.small.join(', ')} did under 5% of its tokens each.`,
      proposed_change: `In claude/agents/build-lead.md, let the agent that holds the context do small steps like ${f.small.join(', ')}'s instead of delegating them.`,
    })),
  ];
}

/** The spec's daily summary: per-agent totals by model, the five costliest tasks, anomalies, candidates. */
export function dailySummary(day: string, tasks: readonly TrackedTask[]): string {
  const out = [`# Token Usage: ${day}`, '', '## Totals', '', '| Agent | Model | Input | Output | Total | Cost |', '|-------|-------|------:|-------:|------:|-----:|'];
  const rows = new Map<string, { input: number; output: number; total: number; cost: number; unknown: number }>();
  for (const t of tasks)
    for (const e of t.entries) {
      const k = `${e.agent}\u0000${e.model}`;
      const r = rows.get(k) ?? { input: 0, output: 0, total: 0, cost: 0, unknown: 0 };
      r.input += e.input_tokens ?? 0;
      r.output += e.output_tokens ?? 0;
      r.total += tokensOf(e);
      r.cost += e.estimated_cost ?? 0;
      r.unknown += e.estimated_cost === null ? 1 : 0;
      rows.set(k, r);
    }
  for (const [k, r] of [...rows].sort(([a], [b]) => byText(a, b))) {
    const [agent, model] = k.split('\u0000') as [string, string];
    out.push(`| ${cell(agent)} | ${cell(model)} | ${n(r.input)} | ${n(r.output)} | ${n(r.total)} | ${fmtUsd(r.cost)}${r.unknown ? '*' : ''} |`);
  }
  if (!rows.size) out.push('| (no tasks logged) | | | | | |');
  out.push('', '## Top Expensive Tasks', '');
  const top = [...tasks].sort((a, b) => costOf(b) - costOf(a) || byText(a.task_id, b.task_id)).slice(0, 5);
  top.forEach((t, i) =>
    out.push(`${i + 1}. **${cell(t.task_id)}**: ${cell(firstLine(t.summary)) || 'no summary'}. ${n(t.entries.reduce((a, e) => a + tokensOf(e), 0))} tokens, ${fmtUsd(costOf(t))}.`),
  );
  if (!top.length) out.push('None.');
  const a = anomalies(tasks);
  out.push('', '## Anomalies', '', ...(a.length ? a.map((x) => `- ${x}`) : ['- None detected.']));
  const c = recommendations(tasks).filter((r) => r.type === 'model_selection');
  out.push('', '## Optimization Candidates', '', ...(c.length ? c.map((r) => `- ${cell(r.description)}`) : ['- None found.']));
  if ([...rows.values()].some((r) => r.unknown)) out.push('', '\\* leaves out entries without a cost estimate.');
  return `${out.join('\n')}\n`;
}

/** The spec's periodic review: overview, findings, recommendations and the changes proposed to build-lead. */
export function periodReview(day: string, days: number, tasks: readonly TrackedTask[]): { markdown: string; recommendations: Recommendation[] } {
  const total = tasks.reduce((a, t) => a + t.entries.reduce((b, e) => b + tokensOf(e), 0), 0);
  const cost = tasks.reduce((a, t) => a + costOf(t), 0);
  const byAgent = new Map<string, number>();
  for (const t of tasks) for (const e of t.entries) byAgent.set(e.agent, (byAgent.get(e.agent) ?? 0) + tokensOf(e));
  const active = [...byAgent]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([a, v]) => `${cell(a)} (${fmtPct(total ? v / total : 0)})`);
  const recs = recommendations(tasks);
  const findings = [
    ...expensive(tasks).map((x) => `**Costly task**: ${cell(x.task)} cost ${fmtUsd(x.cost)}, ${(x.cost / x.median).toFixed(1)}× the median task.`),
    ...recs.map((r) => `**${r.type === 'model_selection' ? 'Model overuse' : 'Fan-out'}**: ${cell(r.description)}`),
  ];
  const out = [
    `# Usage Review: ${day}`,
    '',
    `Period: Last ${plural(days, 'day')} (${plural(tasks.length, 'task')} logged)`,
    '',
    '## Overview',
    '',
    `- Total tokens: ${n(total)}`,
    `- Total cost: ${fmtUsd(cost)} (as the tracker estimated it)`,
    `- Most active agents: ${active.join(', ') || 'none'}`,
    '',
    '## Findings',
    '',
    ...(findings.length ? findings.map((f, i) => `${i + 1}. ${f}`) : ['None: the period shows no costly task, model overuse or fan-out.']),
    '',
    '## Recommendations',
    '',
    ...(recs.length ? recs.map((r, i) => `${i + 1}. ${cell(r.description)}`) : ['None.']),
    '',
    '## Proposed Changes',
    '',
    ...(recs.length ? ['### For build-lead.md', '', ...recs.map((r) => `> ${cell(r.proposed_change)}`)] : ['None.']),
  ];
  return { markdown: `${out.join('\n')}\n`, recommendations: recs };
}
