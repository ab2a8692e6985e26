import { taskGroup, type TaskGroupStats, type TaskStats } from '../stats/index.js';
import type { Change, TaskTarget } from '../targets/index.js';
import { fmtSeconds, fmtUsd } from '../common/index.js';
import { isRefusal, refuse, type Finding, type Refusal } from './finding.js';
import type { RuleContext } from './context.js';
import { sinceDay } from './evidence.js';
import { pct, plural, round, runCount, sampleConfidence } from './helpers.js';
import { evidenceDays, type Part, taskKey, taskRuns } from './task-common.js';
import { cutOff } from './turn-rules.js';

/** A task's cadence (intervalSeconds), from its no-op runs and its backlog. */

export function cadence(ctx: RuleContext, t: TaskStats, target: TaskTarget): Part {
  const c = ctx.rules.cadence;
  const findings: Finding[] = [];
  const at = cadenceEvidence(ctx, t.task, target);
  const { group: g, since } = at;
  if (!target.scheduled || !target.intervalPath) {
    if (g.runs >= ctx.rules.min_phases && g.noop_share >= c.backoff_noop_share) {
      findings.push({
        kind: 'not_in_target',
        category: t.task,
        area: 'schedule',
        message: `${t.task}: ${pct(g.noop_share)} of ${plural(g.runs, 'run')} were no-ops (${fmtUsd(perDay(ctx, g, since))} a day), at the cadence of its task definition; add a schedule block under agent.tasks.${t.task} to tune it`,
      });
    }
    return { changes: [], findings };
  }
  if (at.interval === undefined) return { changes: [], findings };
  if (g.runs < ctx.rules.min_phases) {
    findings.push({ kind: 'needs_more_data', category: t.task, area: 'schedule', message: `${t.task}: waiting for runs at the interval in force: ${g.runs} of ${ctx.rules.min_phases}; kept` });
    return { changes: [], findings };
  }
  const change = cadenceChange(ctx, t, g, at.interval, at.inferred, since);
  if (isRefusal(change)) {
    findings.push({ kind: change.refused, category: t.task, area: 'schedule', message: `${t.task}: ${change.reason}` });
    return { changes: [], findings };
  }
  return { changes: [change], findings };
}

/**
 * A task's runs since its interval was set, and the interval it runs at: its block's, else as its runs
 * were spaced (undefined with fewer than two runs).
 */
export function cadenceEvidence(ctx: RuleContext, task: string, target: TaskTarget): { interval: number | undefined; inferred: boolean; since: number; group: TaskGroupStats } {
  const since = sinceDay(ctx, taskKey('schedule', task));
  const group = taskGroup(taskRuns(ctx, task, since));
  const interval = target.interval?.value ?? (group.median_gap_s !== null ? Math.round(group.median_gap_s) : undefined);
  return { interval, inferred: !target.interval, since, group };
}

/** The phase whose runs stop at its turn budget most often, beyond the rate the budget rule allows (twice or more). */
function backlogOf(ctx: RuleContext, g: TaskGroupStats): { phase: string; rate: number } | undefined {
  const cut = g.phases.filter((p) => cutOff(ctx, p)).sort((a, b) => b.cap_hits / b.runs - a.cap_hits / a.runs)[0];
  return cut ? { phase: cut.phase, rate: cut.cap_hits / cut.runs } : undefined;
}

/** The UTC day number of an ISO date (the window's bounds). */

const perDay = (ctx: RuleContext, g: TaskGroupStats, since: number): number => g.noop_cost_usd / evidenceDays(ctx, g, since);

export function cadenceChange(ctx: RuleContext, t: Pick<TaskStats, 'task'>, g: TaskGroupStats, interval: number, inferred: boolean, since: number): Change | Refusal {
  const c = ctx.rules.cadence;
  const days = evidenceDays(ctx, g, since);
  const noopPerDay = g.noop_cost_usd / days;
  const backlog = backlogOf(ctx, g);
  const at = inferred ? `${interval} s (as its runs were spaced; the task definition sets it)` : `${interval} s`;
  // Runs spaced far from the interval are spaced by something else (a trigger, a lock, the machine being
  // off): a new interval would change nothing but the claim of an effect.
  const gap = g.median_gap_s;
  if (!inferred && gap !== null && (gap > interval * c.max_gap_ratio || gap * c.max_gap_ratio < interval)) {
    return refuse(
      'keep',
      `its runs are ${fmtSeconds(gap)} apart at the median under an interval of ${fmtSeconds(interval)}: something else spaces them (a trigger, a lock, the machine being off), so the interval is kept`,
    );
  }
  let to: number;
  let direction: 'up' | 'down';
  if (g.noop_share >= c.backoff_noop_share) {
    to = Math.min(interval * 2, c.max_interval_seconds);
    direction = 'up';
    if (to <= interval) return refuse('keep', `${pct(g.noop_share)} of runs were no-ops, but the interval is at its ceiling of ${c.max_interval_seconds} s (rules.cadence.max_interval_seconds); kept`);
  } else if (g.noop_share <= c.busy_noop_share) {
    // Work queues up when runs that all found work also stop at a turn budget with work left: a run
    // that finishes its work within its budget is no reason to run more often (more runs, more cost).
    if (!backlog) return refuse('keep', `every run found work at ${at}, and each finished it within its turn budgets; kept`);
    to = Math.max(Math.round(interval / 2), c.min_interval_seconds);
    direction = 'down';
    if (to >= interval)
      return refuse(
        'keep',
        `every run found work and ${backlog.phase} stopped at its turn budget in ${pct(backlog.rate)} of runs, but the interval is at its floor of ${c.min_interval_seconds} s (rules.cadence.min_interval_seconds); kept`,
      );
  } else return refuse('keep', `${pct(g.noop_share)} of ${plural(g.runs, 'run')} were no-ops at ${at}; kept`);
  // Half as many runs do the same work: the runs that go are no-ops, as many as there are beyond the work.
  const runsPerDay = g.runs / days;
  const workPerDay = (g.runs - g.noops) / days;
  const meanNoop = g.noops ? g.noop_cost_usd / g.noops : 0;
  const savedPerDay = direction === 'up' ? (g.noops / days - Math.max(0, runsPerDay / 2 - workPerDay)) * meanNoop : 0;
  return {
    kind: 'schedule',
    category: t.task,
    complexity: null,
    role: null,
    key: null,
    from: interval,
    to,
    direction,
    source: 'rules',
    evidence: {
      runs: g.runs,
      noop_runs: g.noops,
      noop_share: round(g.noop_share, 4),
      runs_per_day: round(runsPerDay, 2),
      noop_cost_usd_per_day: round(noopPerDay, 4),
      saving_usd_per_day: round(savedPerDay, 4),
      median_gap_s: g.median_gap_s === null ? null : Math.round(g.median_gap_s),
      interval_inferred: inferred ? 'yes' : 'no',
      ...(direction === 'down' && backlog ? { cut_off_phase: backlog.phase, cap_hit_rate: round(backlog.rate, 4) } : {}),
    },
    effect: { tokens_per_run: 0, usd_per_run: -(savedPerDay * days) / runCount(ctx) },
    rationale:
      direction === 'up'
        ? `${plural(g.noops, 'run')} of ${g.runs} (${pct(g.noop_share)}) at ${at} found nothing to do, costing ${fmtUsd(noopPerDay)} a day. Running it every ${to} s does the same work in half as many runs, about ${fmtUsd(savedPerDay)} a day less.`
        : `Every one of ${plural(g.runs, 'run')} at ${at} found work, and ${backlog!.phase} stopped at its turn budget with work left in ${pct(backlog!.rate)} of them: work queues up between runs. Every ${to} s picks it up sooner, in smaller runs.`,
    risk:
      direction === 'up'
        ? 'Low: work waits up to twice as long before a run picks it up; nothing is skipped.'
        : 'Medium: more runs cost their fixed start-up; if runs start finding nothing, the no-op rule lengthens the interval again.',
    confidence: sampleConfidence(g.runs, ctx.rules.min_phases),
    pilot: false,
  };
}
