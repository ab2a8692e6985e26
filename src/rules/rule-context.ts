import type { LoadedConfig } from '../config/index.js';
import { blendedPricePerToken, priceOf, resolveModel } from '../pricing/index.js';
import type { TargetState } from '../targets/index.js';
import { defaultMix } from '../stats/index.js';
import type { Stats } from '../stats/index.js';
import type { RuleContext } from './context.js';

/** The context the rules run in: stats, targets, the config's rules and ladders, and model prices. */
export function ruleContext(loaded: LoadedConfig, stats: Stats, targets: TargetState): RuleContext {
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
  };
}
