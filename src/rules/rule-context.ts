import { isAbsolute, relative } from 'node:path';
import type { LoadedConfig } from '../config/index.js';
import { blendedPricePerToken, priceOf, resolveModel } from '../pricing/index.js';
import type { TargetState } from '../targets/index.js';
import { defaultMix, inWindow, type DayRange } from '../stats/index.js';
import type { Stats } from '../stats/index.js';
import { dayOf, type RollupView } from '../store/index.js';
import { NO_HISTORY, type KeyHistory, type RuleContext } from './context.js';

/** The context the rules run in: stats, targets, the config's rules and ladders, prices and history. */
export function ruleContext(loaded: LoadedConfig, stats: Stats, targets: TargetState, window: { view: RollupView; range: DayRange }, o: { history?: KeyHistory; now?: Date } = {}): RuleContext {
  const { config, pricing } = loaded;
  const canonical = (model: string): string => resolveModel(pricing, model) ?? model;
  return {
    stats,
    targets,
    rules: config.rules,
    ladders: config.models.ladders,
    price: (model) => {
      const seen = stats.blended_price[model];
      if (seen !== undefined && seen !== null) return seen;
      const p = priceOf(pricing, model);
      return p ? blendedPricePerToken(p, defaultMix(config.pricing.default_output_share)) : null;
    },
    priceAs: (model, like, role) => {
      // The token mix `like` was used at (in `role`, where one is named, else in every role): cache
      // reads make a model far cheaper per token, and a model never seen would otherwise be priced at
      // an uncached mix.
      const p = priceOf(pricing, model);
      if (!p) return null;
      const id = canonical(like);
      const mixOf = (inRole: boolean) => {
        const mix = { input: 0, output: 0, cache_creation: 0, cache_read: 0 };
        for (const m of stats.models) {
          if (canonical(m.model) !== id || (inRole && m.role !== role)) continue;
          mix.input += m.input;
          mix.output += m.output;
          mix.cache_creation += m.cache_creation;
          mix.cache_read += m.cache_read;
        }
        return mix.input + mix.output + mix.cache_creation + mix.cache_read > 0 ? mix : undefined;
      };
      return blendedPricePerToken(p, (role !== undefined ? mixOf(true) : undefined) ?? mixOf(false) ?? defaultMix(config.pricing.default_output_share));
    },
    canonical,
    phases: window.view.phases.filter((b) => inWindow(window.range, b.day)),
    tasks: window.view.tasks.filter((r) => inWindow(window.range, dayOf(r.ts))),
    tasksWithHistory: window.view.tasks,
    work: window.view.work.filter((w) => inWindow(window.range, dayOf(w.ts))),
    history: o.history ?? NO_HISTORY,
    now: o.now ?? new Date(),
    pricing,
    horizonDays: config.models.retirement_horizon_days,
    configFile: displayPath(loaded.file),
  };
}

/** A path as users see it: relative to the working directory when inside it. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
