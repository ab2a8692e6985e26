import { budgetRules } from './budget-rules.js';
import { capRules } from './cap-rules.js';
import { changeKey, placeKey, valuesByKey, type Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import { ciRules } from './ci-rules.js';
import type { RuleContext } from './context.js';
import { modelRules } from './model-rules.js';
import { migrationRules } from './migration-rules.js';
import { label, outcomesOf, type Outcome } from './outcomes.js';
import { fmtValue } from '../common/index.js';
import { holdBack } from './hold.js';
import { taskRules } from './task-rules.js';
import { agentRules } from './agent-rules.js';
import { plural } from './helpers.js';

export interface Analysis {
  changes: Change[];
  findings: Finding[];
  /** Applied changes of earlier proposals, judged against their baselines. */
  outcomes: Outcome[];
}

/**
 * Runs every mechanical rule. Reverts of changes that made things worse and migrations off retiring
 * models come first and take their keys; the other rules' changes pass the hold-back gate; run budgets
 * go last: they account for the other changes' effects.
 */
export function analyze(ctx: RuleContext): Analysis {
  const { outcomes, reverts } = outcomesOf(ctx, valuesByKey(ctx.targets));
  const parts = [modelRules(ctx), capRules(ctx), ciRules(ctx), taskRules(ctx), agentRules(ctx)];
  const migration = migrationRules(ctx);
  const first = [...reverts, ...migration.changes];
  const taken = new Set(first.map(changeKey));
  // A place a migration moves is the migration's: another model change there waits for the successor's data.
  const migrated = new Set(migration.changes.map((c) => placeKey(c, ctx.targets)));
  const findings = [...migration.findings, ...parts.flatMap((p) => p.findings)];
  const candidates = [...first];
  for (const c of parts.flatMap((p) => p.changes)) {
    if (taken.has(changeKey(c))) continue;
    if (c.kind === 'model' && migrated.has(placeKey(c, ctx.targets) ?? '')) {
      findings.push({
        kind: 'held',
        category: c.category,
        area: 'model',
        message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: its entry moves off a retiring model in this proposal, and the next step waits for data on the successor`,
      });
      continue;
    }
    candidates.push(c);
  }
  const held = holdBack(ctx, candidates, outcomes);
  findings.push(...held.findings);
  for (const cat of ctx.stats.categories) {
    if (ctx.targets.files.length && !ctx.targets.categories.includes(cat.category)) {
      findings.push({
        kind: 'not_in_target',
        category: cat.category,
        area: 'model',
        message: `${cat.category}: seen in telemetry (${plural(cat.phases, 'phase')}), configured nowhere; no key is added for it`,
      });
    }
  }
  const seen = new Set([...ctx.stats.categories.map((c) => c.category), ...ctx.stats.tasks.map((t) => t.task)]);
  for (const category of ctx.targets.categories) {
    if (seen.has(category)) continue;
    const task = ctx.targets.tasks[category] !== undefined;
    findings.push({ kind: 'no_telemetry', category, area: 'model', message: `${category}: configured, but no ${task ? 'runs' : 'phases'} in the window` });
  }
  const budget = budgetRules(ctx, held.changes);
  return { changes: [...held.changes, ...budget.changes], findings: [...findings, ...budget.findings], outcomes };
}
