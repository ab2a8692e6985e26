import { budgetRules } from './budget-rules.js';
import { capRules } from './cap-rules.js';
import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import { ciRules } from './ci-rules.js';
import type { RuleContext } from './context.js';
import { modelRules } from './model-rules.js';

export interface Analysis {
  changes: Change[];
  findings: Finding[];
}

/** Runs every mechanical rule. Run budgets go last: they account for the other changes' effects. */
export function analyze(ctx: RuleContext): Analysis {
  const parts = [modelRules(ctx), capRules(ctx), ciRules(ctx)];
  const changes = parts.flatMap((p) => p.changes);
  const findings = parts.flatMap((p) => p.findings);
  for (const cat of ctx.stats.categories) {
    if (ctx.targets.files.length && !ctx.targets.categories.includes(cat.category)) {
      findings.push({ kind: 'not_in_target', category: cat.category, area: 'model', message: `${cat.category}: seen in telemetry (${cat.phases} phases) but not named in any target config` });
    }
  }
  const seen = new Set(ctx.stats.categories.map((c) => c.category));
  for (const category of ctx.targets.categories) {
    if (!seen.has(category)) findings.push({ kind: 'no_telemetry', category, area: 'model', message: `${category}: configured, but no phases in the window` });
  }
  const budget = budgetRules(ctx, changes);
  return { changes: [...changes, ...budget.changes], findings: [...findings, ...budget.findings] };
}
