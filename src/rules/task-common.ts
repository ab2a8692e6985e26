import type { TaskRunRecord } from '../sources/index.js';
import { daysWithData, type TaskGroupStats, type TaskStats } from '../stats/index.js';
import { dayOf } from '../store/index.js';
import { changeKey, type Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import type { RuleContext } from './context.js';

/** What the rules of scheduled tasks share: a task's runs, its model, and the keys of its values. */

export type Part = { changes: Change[]; findings: Finding[] };

/** The task's runs in the window after a day, on a model (canonical) where one is given. */
export function taskRuns(ctx: RuleContext, task: string, afterDay = -1, model?: string): TaskRunRecord[] {
  const id = model === undefined ? undefined : ctx.canonical(model);
  return ctx.tasks.filter((r) => r.task === task && dayOf(r.ts) > afterDay && (id === undefined || ctx.canonical(r.model) === id));
}

/** The model a task runs on: its own entry, else what it inherits; when it inherits and its runs name another, its definition's (what ran). */
export function taskModelOf(ctx: RuleContext, t: Pick<TaskStats, 'task' | 'models'>): { model: string | undefined; explicit: boolean; from: string } {
  const cell = ctx.targets.model(t.task, null, 'builder');
  if (cell?.explicit && cell.current) return { model: cell.current.value, explicit: true, from: cell.current.path.join('.') };
  const ran = t.models[0]?.model;
  const fallback = cell?.current?.value;
  if (ran !== undefined && (fallback === undefined || ctx.canonical(ran) !== ctx.canonical(fallback))) return { model: ran, explicit: false, from: 'its task definition' };
  return { model: fallback, explicit: false, from: cell?.current?.path.join('.') ?? 'its task definition' };
}

/** The change key of a task's value (a task's model is the builder's, at no complexity). */
export const taskKey = (kind: 'turn_budget' | 'schedule' | 'model', task: string, phase: string | null = null): string =>
  changeKey({ kind, category: task, complexity: null, role: kind === 'model' ? 'builder' : null, key: phase });

/** The UTC day number of an ISO date. */
export const isoDay = (iso: string): number => dayOf(Date.parse(`${iso}T00:00:00Z`));

/** Days from the evidence's first run (or the day after `since`) to the window's end: what a per-day figure divides by. */
export const evidenceDays = (ctx: RuleContext, g: TaskGroupStats, since: number): number => daysWithData(ctx.stats.window, g.runs ? g.first_ts : 0, since);
