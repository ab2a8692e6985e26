import { closest } from '../common/closest.js';
import { resolveModel, type Pricing } from './cost.js';

/** When a model stops serving, and the model its vendor names to replace it. Dates are UTC days. */
export interface Retirement {
  retires: string;
  successor: string;
  /** When the vendor deprecated it, where known. */
  deprecated?: string;
  /** Where the dates were read, and on which day. */
  source?: string;
  checked?: string;
}

const DEPRECATIONS = 'https://platform.claude.com/docs/en/about-claude/model-deprecations';

/**
 * Retirements announced by the vendors, each with the page it was read on and the day. Extend or
 * override them from the tuner config (`models.retirements`), or refresh them with `tune models
 * update`. A successor may itself retire: `liveSuccessor` follows the chain.
 */
export const BUNDLED_RETIREMENTS: Record<string, Retirement> = {
  'claude-3-opus-20240229': { deprecated: '2025-06-30', retires: '2026-01-05', successor: 'claude-opus-4-5', source: DEPRECATIONS, checked: '2026-11-10' },
  'claude-3-7-sonnet': { deprecated: '2025-10-28', retires: '2026-02-19', successor: 'claude-sonnet-4-5', source: DEPRECATIONS, checked: '2026-11-10' },
  'claude-3-5-haiku': { deprecated: '2025-10-28', retires: '2026-02-19', successor: 'claude-haiku-4-5', source: DEPRECATIONS, checked: '2026-11-10' },
  'claude-sonnet-4-5': { retires: '2026-11-30', successor: 'claude-sonnet-5-5', source: 'https://platform.claude.com/docs/en/models/sonnet-4-5/overview', checked: '2026-12-05' },
  'claude-opus-4-5': { deprecated: '2026-11-23', retires: '2027-01-22', successor: 'claude-opus-5-5', source: DEPRECATIONS, checked: '2026-12-05' },
};

/** The day the bundled lifecycle table was last checked against the vendors' pages. */
export const BUNDLED_LIFECYCLE_CHECKED = '2026-12-05';

/** The retirement of a model under any of the names the price table resolves, if one is known. */
export function retirementOf(pricing: Pricing, model: string): (Retirement & { model: string }) | undefined {
  const id = resolveModel(pricing, model) ?? model;
  const r = pricing.retirements[id] ?? pricing.retirements[model];
  return r ? { ...r, model: id } : undefined;
}

/** Days from `now` to a retirement date; negative once it has passed. */
export function daysUntil(date: string, now: Date): number {
  return Math.floor((Date.parse(`${date}T00:00:00Z`) - now.getTime()) / 86_400_000);
}

/**
 * The first model along the successor chain that does not retire within `horizonDays` (or the last
 * one, if all of them do): migrating to a model that retires next month would only mean another migration.
 */
export function liveSuccessor(pricing: Pricing, model: string, now: Date, horizonDays: number): string {
  let at = model;
  const seen = new Set<string>();
  for (let r = retirementOf(pricing, at); r && !seen.has(r.model); r = retirementOf(pricing, at)) {
    seen.add(r.model);
    if (daysUntil(r.retires, now) > horizonDays && at !== model) break;
    at = r.successor;
  }
  return at;
}

/** The known model names nearest to a misspelled one, nearest first. */
export function closestModels(pricing: Pricing, name: string, extra: readonly string[] = [], n = 3): string[] {
  return closest(name, [...Object.keys(pricing.table), ...Object.keys(pricing.aliases), ...extra], n);
}
