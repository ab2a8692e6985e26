import type { TaskRunRecord } from '../sources/index.js';
import { taskGroup } from '../stats/index.js';
import { dayOf } from '../store/index.js';
import { fmtUsd } from '../common/index.js';
import type { Finding } from './finding.js';
import type { RuleContext } from './context.js';
import { plural } from './helpers.js';
import { isoDay } from './task-common.js';

/** Tasks whose cost per run jumped: reported, not changed. */

/**
 * Tasks whose mean cost per priced run over the last days of the window is a multiple of the same
 * span before, per task and provider, as Myco's own health check compares them: local (zero-cost)
 * runs stay out of both means. Flagged with the phases whose tokens per run grew.
 */
export function costSpikes(ctx: RuleContext): Finding[] {
  const s = ctx.rules.cost_spike;
  const until = isoDay(ctx.stats.window.until);
  const recentFrom = until - s.days + 1;
  const before = recentFrom - s.days;
  const groups = new Map<string, { recent: TaskRunRecord[]; trailing: TaskRunRecord[] }>();
  for (const r of ctx.tasksWithHistory) {
    if (r.local || !r.cost_usd) continue;
    const day = dayOf(r.ts);
    if (day < before || day > until) continue;
    const k = `${r.task}\u0000${r.provider ?? ''}`;
    const g = groups.get(k) ?? groups.set(k, { recent: [], trailing: [] }).get(k)!;
    (day >= recentFrom ? g.recent : g.trailing).push(r);
  }
  const out: Finding[] = [];
  for (const [k, g] of groups) {
    if (g.recent.length < s.min_runs || g.trailing.length < s.min_runs) continue;
    const [task, provider] = k.split('\u0000') as [string, string];
    const a = taskGroup(g.recent);
    const b = taskGroup(g.trailing);
    const ratio = a.mean_cost_usd! / b.mean_cost_usd!;
    // 0.6 / 0.2 is 2.9999…: a ratio a hair under the threshold in floating point is at it.
    if (ratio < s.ratio - 1e-9) continue;
    const grew = a.phases
      .map((p) => ({ phase: p.phase, now: p.tokens_mean, was: b.phases.find((q) => q.phase === p.phase)?.tokens_mean ?? 0 }))
      .filter((p) => p.was > 0 && p.now / p.was >= 1.5)
      .sort((x, y) => y.now / y.was - x.now / x.was);
    out.push({
      kind: 'cost_spike',
      category: task,
      area: 'cost',
      message:
        `${task}${provider ? ` (${provider})` : ''}: cost spike: ${fmtUsd(a.mean_cost_usd)} per run over the last ${plural(s.days, 'day')}, ${ratio.toFixed(1)}× the ${fmtUsd(b.mean_cost_usd)} of the ${s.days} days before (${a.priced_runs} and ${b.priced_runs} runs)` +
        (grew.length
          ? `; phases that grew: ${grew.map((p) => `${p.phase} ${(p.now / p.was).toFixed(1)}× tokens per run`).join(', ')}`
          : '; no phase grew by half or more: look at the runs themselves'),
    });
  }
  return out.sort((x, y) => x.message.localeCompare(y.message));
}
