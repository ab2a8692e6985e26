import { fmtValue } from '../common/index.js';
import { dayToIso } from '../store/index.js';
import { changeKey, isDefaultEntry, placeKey, type Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import type { RuleContext } from './context.js';
import { label, type Outcome } from './outcomes.js';
import { inheritsDefault, sinceDay } from './evidence.js';

/** A migration or a revert: evidence of a date or of a measured outcome, which no other rule overrides. */
export const isMandatory = (c: Change): boolean => c.evidence.migration !== undefined || c.evidence.reverts !== undefined;

/**
 * A raise of a cap or a turn budget: work cut off at its limit gets room. It lowers risk, so it never
 * waits behind another change of the same proposal (a pilot may never be merged).
 */
export const lowersRisk = (c: Change): boolean => isMandatory(c) || ((c.kind === 'token_cap' || c.kind === 'turn_budget') && c.direction === 'up');

/**
 * The last gate every change passes, the rules' and the LLM's alike, so that proposals survive being
 * followed week after week:
 * - a category configured nowhere never becomes a new key;
 * - no move against a key's previous move within the cool-down, unless that move's outcome is worse
 *   (then the revert is the proposal);
 * - no cut of a cap (or turn budget) in the proposal that changes the category's (task's) model: it
 *   follows once the new model has data of its own; a raise (lowersRisk) never waits for another change;
 * - no model move within the cool-down of a change to its category's cap, and no second step down
 *   within the cool-down of the first;
 * - a key steps down by itself at most `rules.downgrade.max_steps` times in a row, and never back onto
 *   a model a revert took it off;
 * - no model downgrade of a category the targets call high-risk;
 * - no two changes that would write one entry two ways (an Autopack category's model holds for every
 *   complexity: its complexities must agree).
 */
export function holdBack(ctx: RuleContext, changes: readonly Change[], outcomes: readonly Outcome[]): { changes: Change[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const worse = new Set(outcomes.filter((o) => o.verdict === 'worse').map((o) => o.change.id));
  const cooldownMs = ctx.rules.cooldown_days * 86_400_000;
  const modelMoved = new Set<string>();
  const isProtected = (c: Change) => c.kind === 'model' && c.direction === 'down' && !!c.category && ctx.targets.protectedCategories.includes(c.category);
  for (const c of changes) {
    if (c.kind !== 'model' || !c.category || isProtected(c)) continue;
    if (!isDefaultEntry(c.category)) modelMoved.add(c.category);
    else {
      // A default serves every category without an entry of its own at that complexity.
      for (const cat of ctx.stats.categories) {
        const cx = c.complexity;
        if (cx && cat.by_complexity[cx] && inheritsDefault(ctx, cat.category, cx)) modelMoved.add(cat.category);
      }
    }
  }
  const kept: Change[] = [];
  for (const c of changes) {
    const key = changeKey(c);
    if (isMandatory(c)) {
      kept.push(c);
      continue;
    }
    if (!c.subject && c.category && !isDefaultEntry(c.category) && c.kind !== 'run_budget' && ctx.targets.files.length && !ctx.targets.categories.includes(c.category)) {
      findings.push({ kind: 'not_in_target', category: c.category, area: c.kind, message: `${c.category}: seen in telemetry, configured nowhere; not added to the targets` });
      continue;
    }
    const last = ctx.history.applied.filter((a) => a.key === key).at(-1);
    // Room given against truncation or cap hits is not taken back while that raise stands: a cut saves
    // nothing by itself and would undo a measured answer (its outcome turning worse is what reverts it).
    if (last && last.change.direction === 'up' && c.direction === 'down' && (c.kind === 'token_cap' || c.kind === 'turn_budget') && !worse.has(key)) {
      findings.push({
        kind: 'held',
        category: c.category,
        area: c.kind,
        message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: it was raised to ${fmtValue(last.change.to)} on ${dayToIso(last.applied_day ?? last.proposed_day)} against work cut off at the limit, and that room is kept; lower it by hand if the work no longer needs it`,
      });
      continue;
    }
    if (last && last.change.direction !== c.direction && !worse.has(key)) {
      const since = (last.applied_day ?? last.proposed_day) * 86_400_000;
      if (ctx.now.getTime() - since < cooldownMs) {
        const until = dayToIso(Math.floor((since + cooldownMs) / 86_400_000));
        findings.push({
          kind: 'held',
          category: c.category,
          area: c.kind,
          message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: it moved ${last.change.direction} to ${fmtValue(last.change.to)} on ${dayToIso(last.applied_day ?? last.proposed_day)}, and no move ${c.direction} comes before ${until} unless that change's outcome turns worse`,
        });
        continue;
      }
    }
    // A category's headroom is measured under a cap it has run under long enough: no model moves
    // within the cool-down of a change to its cap (one made in this same proposal is fine).
    if (c.kind === 'model' && !c.subject && c.key === null && c.category && !isDefaultEntry(c.category)) {
      const capSince = sinceDay(ctx, changeKey({ kind: 'token_cap', category: c.category, complexity: null, role: null, key: null }));
      if (capSince >= 0 && ctx.now.getTime() - capSince * 86_400_000 < cooldownMs) {
        findings.push({
          kind: 'held',
          category: c.category,
          area: 'model',
          message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: the category's cap changed on ${dayToIso(capSince)}, and its model waits until ${dayToIso(capSince + ctx.rules.cooldown_days)}, when its use of the cap has been measured under the cap in force`,
        });
        continue;
      }
    }
    // Steps down do not compound: after one, the next waits out the cool-down on the model it led to.
    if (last && c.kind === 'model' && last.change.direction === 'down' && c.direction === 'down') {
      const since = (last.applied_day ?? last.proposed_day) * 86_400_000;
      if (ctx.now.getTime() - since < cooldownMs) {
        findings.push({
          kind: 'held',
          category: c.category,
          area: 'model',
          message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: it stepped down to ${fmtValue(last.change.to)} on ${dayToIso(last.applied_day ?? last.proposed_day)}, and no second step down comes before ${dayToIso(Math.floor((since + cooldownMs) / 86_400_000))}`,
        });
        continue;
      }
    }
    // What a cheaper model does on this work is only known by running it, and a week of a bad one costs
    // more success than any tolerance: the steps tokentune takes alone are few, and one its outcome
    // check undid is not tried again.
    if (c.kind === 'model' && c.direction === 'down') {
      const mine = ctx.history.applied.filter((a) => a.key === key);
      const undone = mine.findLast((a) => a.change.evidence.reverts !== undefined && ctx.canonical(String(a.change.from)) === ctx.canonical(String(c.to)));
      if (undone) {
        findings.push({
          kind: 'held',
          category: c.category,
          area: 'model',
          message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: it was moved off ${fmtValue(c.to)} on ${dayToIso(undone.applied_day ?? undone.proposed_day)} because its outcome there was worse; tokentune does not try it again`,
        });
        continue;
      }
      let steps = 0;
      for (let i = mine.length - 1; i >= 0 && mine[i]!.change.direction === 'down' && !isMandatory(mine[i]!.change); i--) steps++;
      if (steps >= ctx.rules.downgrade.max_steps) {
        const lastDown = mine.at(-1)!;
        findings.push({
          kind: 'held',
          category: c.category,
          area: 'model',
          message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: it stepped down to ${fmtValue(lastDown.change.to)} on ${dayToIso(lastDown.applied_day ?? lastDown.proposed_day)}, and tokentune takes ${ctx.rules.downgrade.max_steps === 1 ? 'one step' : `${ctx.rules.downgrade.max_steps} steps`} down in a row by itself (rules.downgrade.max_steps); the evidence qualifies the next one, which is a build-lead's call`,
        });
        continue;
      }
    }
    if (isProtected(c)) {
      findings.push({
        kind: 'held',
        category: c.category,
        area: 'model',
        message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: ${c.category} is a high-risk category in the targets, and its model is never downgraded`,
      });
      continue;
    }
    if (c.kind === 'token_cap' && !lowersRisk(c) && c.category && modelMoved.has(c.category)) {
      findings.push({
        kind: 'held',
        category: c.category,
        area: 'token_cap',
        message: `${c.category}: cap ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: this proposal changes the category's model, and the cap follows once the new model has data`,
      });
      continue;
    }
    if (c.kind === 'turn_budget' && !lowersRisk(c) && c.category && modelMoved.has(c.category)) {
      findings.push({
        kind: 'held',
        category: c.category,
        area: 'turn_budget',
        message: `${label(c)}: ${fmtValue(c.from)} → ${fmtValue(c.to)} held back: this proposal changes the task's model, and its turn budgets follow once the new model has runs`,
      });
      continue;
    }
    kept.push(c);
  }
  return disagreeing(ctx, kept, findings);
}

/** Model changes that meet in one entry must set it to one model; those that do not are all held. */
function disagreeing(ctx: RuleContext, changes: Change[], findings: Finding[]): { changes: Change[]; findings: Finding[] } {
  const at = (c: Change) => (c.kind === 'model' ? placeKey(c, ctx.targets) : undefined);
  const byEntry = new Map<string, Change[]>();
  for (const c of changes) {
    const k = at(c);
    if (k) byEntry.set(k, [...(byEntry.get(k) ?? []), c]);
  }
  const held = new Set<Change>();
  for (const group of byEntry.values()) {
    if (new Set(group.map((c) => String(c.to))).size < 2) continue;
    for (const c of group) held.add(c);
    const c = group[0]!;
    findings.push({
      kind: 'held',
      category: c.category,
      area: 'model',
      message: `${c.category} ${c.role}: one entry sets its model at every complexity, and its complexities disagree (${group.map((g) => `${g.complexity}: ${fmtValue(g.to)}`).join(', ')}); kept`,
    });
  }
  return { changes: changes.filter((c) => !held.has(c)), findings };
}
