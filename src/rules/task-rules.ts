import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import type { RuleContext } from './context.js';
import { plural } from './helpers.js';
import { turnBudgets } from './turn-rules.js';
import { cadence } from './cadence-rules.js';
import { taskModel } from './task-model-rules.js';
import { costSpikes } from './cost-spikes.js';

/**
 * Scheduled agent tasks (Myco): each phase's turn budget, each task's cadence and model, and cost
 * spikes. Evidence is what ran under the value in force: runs since the key last changed, on the
 * task's configured model.
 */
export function taskRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const configured = Object.keys(ctx.targets.tasks);
  for (const t of ctx.stats.tasks) {
    const target = ctx.targets.tasks[t.task];
    if (!target) {
      if (configured.length)
        findings.push({
          kind: 'not_in_target',
          category: t.task,
          area: 'turn_budget',
          message: `${t.task}: ${plural(t.runs, 'run')} in telemetry, but no block under agent.tasks; its definition's values are not tuned from here`,
        });
      continue;
    }
    for (const part of [turnBudgets(ctx, t, target), cadence(ctx, t, target), taskModel(ctx, t, target)]) {
      changes.push(...part.changes);
      findings.push(...part.findings);
    }
  }
  findings.push(...costSpikes(ctx));
  return { changes, findings };
}
