import { wilsonBound } from '../stats/index.js';
import type { Change } from '../targets/index.js';
import type { RuleContext } from './context.js';
import type { Finding } from './finding.js';
import { ladderPosition, pct, plural } from './helpers.js';

/**
 * Agents judged by their units of work (agent invocations with an outcome, from any source that
 * reports them): the model tests of the phase rules, on the same one-sided bounds, per agent and
 * model. A unit without a known outcome is no evidence either way. No target yet assigns an agent its
 * model, so what the tests find is reported (a downgrade candidate with its next rung, or an upgrade
 * signal) and nothing is proposed.
 */
export function agentRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const d = ctx.rules.downgrade;
  const u = ctx.rules.upgrade;
  for (const g of ctx.stats.work) {
    if (g.model === null || g.with_outcome === 0) continue;
    const where = `${g.agent} on ${g.model}`;
    if (g.with_outcome < ctx.rules.min_phases) {
      findings.push({
        kind: 'needs_more_data',
        category: g.agent,
        area: 'model',
        message: `${where}: ${plural(g.with_outcome, 'invocation')} with an outcome, fewer than ${ctx.rules.min_phases}; model not judged`,
      });
      continue;
    }
    const lower = wilsonBound(g.successes, g.with_outcome, 'lower');
    const upper = wilsonBound(g.successes, g.with_outcome, 'upper');
    const seen = `success ${pct(g.success_rate)} over ${plural(g.with_outcome, 'invocation')}${g.correction_rate !== null ? `, ${pct(g.correction_rate)} corrected by their user` : ''}`;
    const at = ladderPosition(ctx, g.model);
    if (lower > d.min_success_rate && (g.correction_rate ?? 0) <= 1 - d.min_success_rate) {
      const down = at && at.index > 0 ? at.ladder[at.index - 1] : undefined;
      findings.push({
        kind: 'not_in_target',
        category: g.agent,
        area: 'model',
        message: `${where}: ${seen} (at least ${pct(lower, 1)} on its one-sided 95% bound): a downgrade candidate${down ? ` to ${down}, the next rung` : ', but no cheaper rung is on its ladder'}; no target assigns this agent its model, so nothing is proposed`,
      });
    } else if (upper < u.max_success_rate) {
      findings.push({
        kind: 'not_in_target',
        category: g.agent,
        area: 'model',
        message: `${where}: ${seen} (at most ${pct(upper, 1)} on its one-sided 95% bound): it fails often enough for a stronger model to be piloted; no target assigns this agent its model, so nothing is proposed`,
      });
    }
  }
  return { changes: [], findings };
}
