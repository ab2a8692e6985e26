import { closestModels, daysUntil, liveSuccessor, priceOf, retirementOf } from '../pricing/index.js';
import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import type { RuleContext } from './context.js';
import { groupStats } from '../stats/index.js';
import type { PhaseBucket } from '../store/index.js';
import type { ModelRef } from '../targets/index.js';
import { LOCAL_PROVIDERS } from '../sources/index.js';
import { ladderPosition, plural, runCount } from './helpers.js';

/**
 * Model names and retirements: a dependency update, for models. Every configured model is checked
 * against the price table and the ladders; one that retires within the horizon (or already has) is
 * moved to its successor, whatever the telemetry says: requests to a retired model fail.
 */
export function migrationRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const config = ctx.configFile;
  const byModel = new Map<string, string[]>();
  for (const e of ctx.targets.modelEntries) {
    // A local model (Ollama, LM Studio) has no price and needs none.
    if (LOCAL_PROVIDERS.has(ctx.targets.tasks[e.category]?.provider ?? '')) continue;
    byModel.set(e.value, [...(byModel.get(e.value) ?? []), e.where]);
  }
  for (const [model, where] of byModel) {
    const at = where.slice(0, 3).join(', ') + (where.length > 3 ? ` and ${where.length - 3} more` : '');
    if (!priceOf(ctx.pricing, model)) {
      const near = closestModels(ctx.pricing, model, Object.values(ctx.ladders).flat());
      findings.push({
        kind: 'model_name',
        category: null,
        area: 'model',
        message: `"${model}" (${at}) is not a known model${near.length ? `; did you mean ${near.map((m) => `"${m}"`).join(' or ')}?` : ''} Fix the name, or add its prices under pricing.models in ${config}`,
      });
      continue;
    }
    if (!ladderPosition(ctx, model)) {
      const provider = priceOf(ctx.pricing, model)!.litellm_provider;
      findings.push({
        kind: 'model_name',
        category: null,
        area: 'model',
        message: `${model} (${at}) is on no ladder: add it to models.ladders.${provider} in ${config}, cheapest first; until then no downgrade or upgrade is proposed for it`,
      });
    }
  }
  for (const [family, ladder] of Object.entries(ctx.ladders)) {
    for (const model of ladder) {
      const r = retirementOf(ctx.pricing, model);
      if (!r || daysUntil(r.retires, ctx.now) > ctx.horizonDays) continue;
      const successor = liveSuccessor(ctx.pricing, model, ctx.now, ctx.horizonDays);
      findings.push({
        kind: 'model_name',
        category: null,
        area: 'model',
        message: `models.ladders.${family} in ${config} names ${model}, which ${retiresText(r.retires, ctx.now)}: put ${successor} in its place`,
      });
    }
  }

  // Each value that names a retiring model moves in place; a value written as an alias moves with
  // its alias entry, and a value naming any other model is never touched.
  const refs = ctx.targets.modelRefs.filter((ref) => !ref.viaAlias);
  const retiring = (model: string) => {
    const r = retirementOf(ctx.pricing, model);
    return r && daysUntil(r.retires, ctx.now) <= ctx.horizonDays ? r : undefined;
  };
  const governed = new Map<string, PhaseBucket[]>();
  for (const ref of refs) if (ref.role && retiring(ref.value)) governed.set(ref.id, phasesUnder(ctx, ref));
  for (const ref of refs) {
    const r = retiring(ref.value);
    if (!r) continue;
    const to = liveSuccessor(ctx.pricing, ref.value, ctx.now, ctx.horizonDays);
    if (ref.label === undefined) {
      findings.push({
        kind: 'model_name',
        category: null,
        area: 'model',
        message: `${ref.where} names ${ref.value}, which ${retiresText(r.retires, ctx.now)}; left as it is: the ${layoutOf(ctx, ref.file)} layout does not know this key. Change it to ${to} by hand.`,
      });
      continue;
    }
    const effect = migrationEffect(ctx, ref, to, governed);
    const days = daysUntil(r.retires, ctx.now);
    changes.push({
      kind: 'model',
      category: ref.category,
      complexity: ref.complexity,
      role: ref.role,
      key: ref.id,
      from: ref.value,
      to,
      direction: effect.perToken !== null && effect.perToken < 0 ? 'down' : 'up',
      source: 'rules',
      evidence: {
        migration: 'retirement',
        place: ref.label,
        retires: r.retires,
        days_left: days,
        deprecated: r.deprecated ?? null,
        successor: to,
        phases: effect.phases,
        tokens_per_run: Math.round(effect.tokensPerRun),
        priced_on: effect.pricedOn,
      },
      effect: { tokens_per_run: 0, usd_per_run: effect.usd },
      rationale: `${ref.value} ${retiresText(r.retires, ctx.now)}${r.deprecated ? ` (deprecated on ${r.deprecated})` : ''}; ${to} is its successor. Requests to a retired model fail, so this is not a matter of cost.`,
      risk: `Medium: ${to} may behave differently on this work; its outcome is tracked like any change.`,
      confidence: 'high',
      pilot: false,
    });
  }
  return { changes, findings };
}

function retiresText(date: string, now: Date): string {
  const days = daysUntil(date, now);
  return days < 0 ? `retired on ${date}` : `retires on ${date}, ${plural(days, 'day')} from now`;
}

/**
 * The window's phases a tuned entry governed that ran on its model: a category's own entry, or a
 * complexity's default for the categories that inherit it.
 */
function phasesUnder(ctx: RuleContext, ref: ModelRef): PhaseBucket[] {
  const id = ctx.canonical(ref.value);
  const here = ref.path.join('\u0000');
  return ctx.phases.filter((b) => {
    if (ctx.canonical(b.model) !== id) return false;
    const cell = ctx.targets.model(b.category, b.complexity, ref.role!)?.current;
    return cell?.file === ref.file && cell.path.join('\u0000') === here;
  });
}

/**
 * What a migration changes per run, priced on the work that runs on the entry: the role's calls on
 * the outgoing model, shared among the role's entries that name it by the phases each governs, at the
 * mix of that work (the successor has no calls of its own yet). Escalations, fallbacks and the like
 * are not told apart in telemetry: their work is not priced.
 */
function migrationEffect(
  ctx: RuleContext,
  ref: ModelRef,
  to: string,
  governed: ReadonlyMap<string, PhaseBucket[]>,
): { usd: number; perToken: number | null; phases: number; tokensPerRun: number; pricedOn: string } {
  const role = ref.role ?? undefined;
  const from = ctx.priceAs(ref.value, ref.value, role);
  const next = ctx.priceAs(to, ref.value, role);
  const perToken = from !== null && next !== null ? next - from : null;
  const phases = governed.get(ref.id) ?? [];
  const count = phases.reduce((a, b) => a + b.phases, 0);
  if (!ref.role || count === 0)
    return { usd: 0, perToken, phases: count, tokensPerRun: 0, pricedOn: ref.role ? 'no phases ran under it in the window' : 'not measured: telemetry does not tell this work apart' };
  const id = ctx.canonical(ref.value);
  const callTokens = ctx.stats.models.filter((m) => m.role === ref.role && ctx.canonical(m.model) === id).reduce((a, m) => a + m.tokens, 0);
  let all = 0;
  for (const [other, ps] of governed) {
    const o = ctx.targets.modelRefs.find((x) => x.id === other);
    if (o?.role === ref.role && ctx.canonical(o.value) === id) all += ps.reduce((a, b) => a + b.phases, 0);
  }
  const share = all > 0 ? count / all : 0;
  const tokens = callTokens > 0 ? callTokens * share : groupStats(phases, ctx.stats.blended_price).tokens_total;
  const tokensPerRun = tokens / runCount(ctx);
  return {
    usd: perToken === null ? 0 : tokensPerRun * perToken,
    perToken,
    phases: count,
    tokensPerRun,
    pricedOn: callTokens > 0 ? `${ref.role} calls on ${ref.value}, ${Math.round(share * 100)}% of them by phases governed` : 'the phases governed',
  };
}

const layoutOf = (ctx: RuleContext, file: string): string => ctx.targets.files.find((f) => f.path === file)?.preset ?? 'target';
