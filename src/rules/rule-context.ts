import { isAbsolute, relative } from 'node:path';
import type { LoadedConfig } from '../config/index.js';
import { blendedPricePerToken, priceOf, resolveModel } from '../pricing/index.js';
import type { TargetState } from '../targets/index.js';
import { defaultMix, inWindow, type DayRange } from '../stats/index.js';
import type { Stats } from '../stats/index.js';
import { dayOf, type RollupView } from '../store/index.js';
import { NO_HISTORY, type KeyHistory, type RuleContext } from './context.js';

/** The context the rules run in: stats, targets, the config's rules and ladders, prices and history. */
export function ruleContext(
  loaded: LoadedConfig,
  stats: Stats,
  targets: TargetState,
  window: { view: RollupView; range: DayRange },
  o: { history?: KeyHistory; now?: Date } = {},
): RuleContext {
  const { config, pricing } = loaded;
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
    canonical: (model) => resolveModel(pricing, model) ?? model,
    phases: window.view.phases.filter((b) => inWindow(window.range, b.day)),
    tasks: window.view.tasks.filter((r) => inWindow(window.range, dayOf(r.ts))),
    tasksWithHistory: window.view.tasks,
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
