import { blendedPricePerToken, closestModels, daysUntil, liveSuccessor, priceOf, retirementOf } from '../pricing/index.js';
import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import { plural, runCount, type RuleContext } from './context.js';
import { ladderPosition, round } from './model-rules.js';
import { inheritsDefault } from './evidence.js';
import { groupStats } from '../stats/index.js';
import type { PhaseBucket } from '../store/index.js';
import { COMPLEXITIES, LOCAL_PROVIDERS } from '../sources/index.js';

/**
 * Model names and retirements: a dependency update, for models. Every configured model is checked
 * against the price table and the ladders; one that retires within the horizon (or already has) is
 * moved to its successor, whatever the telemetry says: requests to a retired model fail.
 */
export function migrationRules(ctx: RuleContext, movedOwn: ReadonlySet<string> = new Set()): { changes: Change[]; findings: Finding[] } {
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
      findings.push({ kind: 'model_name', category: null, area: 'model', message: `"${model}" (${at}) is not a known model${near.length ? `; did you mean ${near.map((m) => `"${m}"`).join(' or ')}?` : ''} Fix the name, or add its prices under pricing.models in ${config}` });
      continue;
    }
    if (!ladderPosition(ctx, model)) {
      const provider = priceOf(ctx.pricing, model)!.litellm_provider;
      findings.push({ kind: 'model_name', category: null, area: 'model', message: `${model} (${at}) is on no ladder: add it to models.ladders.${provider} in ${config}, cheapest first; until then no downgrade or upgrade is proposed for it` });
    }
  }
  for (const [family, ladder] of Object.entries(ctx.ladders)) {
    for (const model of ladder) {
      const r = retirementOf(ctx.pricing, model);
      if (!r || daysUntil(r.retires, ctx.now) > ctx.horizonDays) continue;
      const successor = liveSuccessor(ctx.pricing, model, ctx.now, ctx.horizonDays);
      findings.push({ kind: 'model_name', category: null, area: 'model', message: `models.ladders.${family} in ${config} names ${model}, which ${retiresText(r.retires, ctx.now)}: put ${successor} in its place` });
    }
  }

  for (const entry of ctx.targets.modelEntries) {
    const r = retirementOf(ctx.pricing, entry.value);
    if (!r) continue;
    // An entry for every complexity of its category (Autopack's) moves once per complexity its phases
    // ran at, each with its own evidence; the edits meet in one line.
    const seen = ctx.stats.categories.find((c) => c.category === entry.category);
    const levels = entry.complexity ? [entry.complexity] : COMPLEXITIES.filter((c) => seen?.by_complexity[c]);
    for (const complexity of levels.length ? levels : [null]) {
      const e = { ...entry, complexity };
      const days = daysUntil(r.retires, ctx.now);
      if (days > ctx.horizonDays) continue;
      const to = liveSuccessor(ctx.pricing, e.value, ctx.now, ctx.horizonDays);
      // Both models at the outgoing one's observed token mix: the successor has no calls of its own yet.
      const priceFrom = ctx.price(e.value);
      const ratio = listPriceRatio(ctx, e.value, to);
      const priceTo = priceFrom !== null && ratio !== null ? priceFrom * ratio : null;
      const served = servedBy(ctx, e, movedOwn);
      const g = served.length ? groupStats(served, ctx.stats.blended_price) : null;
      const tokensPerRun = (g?.tokens_total ?? 0) / runCount(ctx);
      const usd = priceFrom !== null && priceTo !== null ? tokensPerRun * (priceTo - priceFrom) : 0;
      changes.push({
        kind: 'model',
        category: e.category,
        complexity: e.complexity,
        role: e.role,
        key: null,
        from: e.value,
        to,
        direction: priceFrom !== null && priceTo !== null && priceTo < priceFrom ? 'down' : 'up',
        source: 'rules',
        evidence: {
          migration: 'retirement',
          retires: r.retires,
          days_left: days,
          deprecated: r.deprecated ?? null,
          successor: to,
          phases: g?.phases ?? 0,
          success_rate: g ? round(g.success_rate, 4) : null,
          tokens_per_run: Math.round(tokensPerRun),
        },
        effect: { tokens_per_run: 0, usd_per_run: usd },
        rationale: `${e.value} ${retiresText(r.retires, ctx.now)}${r.deprecated ? ` (announced ${r.deprecated})` : ''}; ${to} is its successor. Requests to a retired model fail, so this is not a matter of cost.`,
        risk: `Medium: ${to} may behave differently on this work; its outcome is tracked like any change, and a fall in success gets a revert proposed.`,
        confidence: 'high',
        pilot: false,
      });
    }
  }
  return { changes, findings };
}

/** How much dearer `to` is than `from` per token, at list prices and the default token mix. */
function listPriceRatio(ctx: RuleContext, from: string, to: string): number | null {
  const a = priceOf(ctx.pricing, from);
  const b = priceOf(ctx.pricing, to);
  if (!a || !b) return null;
  const mix = { input: 0.8, output: 0.2, cache_creation: 0, cache_read: 0 };
  const pa = blendedPricePerToken(a, mix);
  return pa > 0 ? blendedPricePerToken(b, mix) / pa : null;
}

function retiresText(date: string, now: Date): string {
  const days = daysUntil(date, now);
  return days < 0 ? `retired on ${date}` : `retires on ${date}, ${plural(days, 'day')} from now`;
}

/**
 * The window's phases that ran under one model entry. A `default` entry serves every category without
 * its own, except those the same proposal gives their own model (`movedOwn`: "category:complexity"),
 * whose effect is counted by their own change.
 */
function servedBy(ctx: RuleContext, e: { category: string; complexity: string | null; value: string }, movedOwn: ReadonlySet<string>): PhaseBucket[] {
  const id = ctx.canonical(e.value);
  return ctx.phases.filter((b) => {
    if ((e.complexity !== null && b.complexity !== e.complexity) || ctx.canonical(b.model) !== id) return false;
    if (b.category === e.category) return true;
    return e.category === 'default' && inheritsDefault(ctx, b.category, b.complexity) && !movedOwn.has(`${b.category}:${b.complexity}`);
  });
}
