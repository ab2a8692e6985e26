import type { RollupView } from '../store/index.js';
import type { CategoryCiStats, TierStats } from './types.js';
import { inWindow, type DayRange } from './window.js';

/**
 * CI activity is recorded per tier, but CI profiles are set per category. Each tier's CI of a day is
 * shared out among the categories of that tier's phases that day, in proportion to their phase
 * counts, and every report that uses these figures says so.
 */
export function computeCategoryCi(rollups: RollupView, range: DayRange): Map<string, CategoryCiStats> & { tiers: TierStats[] } {
  const perCategory = new Map<string, CategoryCiStats & { failed_in_ci_tiers: number; profileSet: Set<string> }>();
  const perTier = new Map<string, TierStats & { profileSet: Set<string> }>();
  for (const t of rollups.tiers.values()) {
    if (!inWindow(range, t.day)) continue;
    const tierPhases = Object.values(t.phases).reduce((s, n) => s + n, 0);
    const tierFailed = Object.values(t.failed).reduce((s, n) => s + n, 0);
    let ts = perTier.get(t.tier_id);
    if (!ts) {
      ts = {
        tier_id: t.tier_id,
        days: 0,
        phases: 0,
        failed_phases: 0,
        ci_profiles: [],
        ci_runs: 0,
        ci_failures_caught: 0,
        ci_false_positives: 0,
        ci_tokens: 0,
        profileSet: new Set(),
      };
      perTier.set(t.tier_id, ts);
    }
    ts.days++;
    ts.phases += tierPhases;
    ts.failed_phases += tierFailed;
    ts.ci_runs += t.ci_runs;
    ts.ci_failures_caught += t.ci_failures_caught;
    ts.ci_false_positives += t.ci_false_positives;
    ts.ci_tokens += t.ci_tokens;
    for (const p of t.ci_profiles) ts.profileSet.add(p);

    if (t.ci_runs === 0 || tierPhases === 0) continue;
    for (const [category, n] of Object.entries(t.phases)) {
      const share = n / tierPhases;
      let c = perCategory.get(category);
      if (!c) {
        c = { ...emptyCategoryCi(), failed_in_ci_tiers: 0, profileSet: new Set() };
        perCategory.set(category, c);
      }
      c.attributed_runs += t.ci_runs * share;
      c.attributed_failures_caught += t.ci_failures_caught * share;
      c.attributed_false_positives += t.ci_false_positives * share;
      c.attributed_tokens += t.ci_tokens * share;
      c.phases_in_ci_tiers += n;
      c.failed_in_ci_tiers += t.failed[category] ?? 0;
      for (const p of t.ci_profiles) c.profileSet.add(p);
    }
  }
  const out = new Map<string, CategoryCiStats>() as Map<string, CategoryCiStats> & { tiers: TierStats[] };
  for (const [category, c] of perCategory) {
    const { failed_in_ci_tiers, profileSet, ...rest } = c;
    out.set(category, {
      ...rest,
      catch_rate: c.attributed_runs > 0 ? c.attributed_failures_caught / c.attributed_runs : null,
      false_positive_rate: c.attributed_runs > 0 ? c.attributed_false_positives / c.attributed_runs : null,
      escape_rate: c.phases_in_ci_tiers > 0 ? failed_in_ci_tiers / c.phases_in_ci_tiers : null,
      profiles: [...profileSet].sort(),
    });
  }
  out.tiers = [...perTier.values()].map(({ profileSet, ...t }) => ({ ...t, ci_profiles: [...profileSet].sort() })).sort((a, b) => a.tier_id.localeCompare(b.tier_id));
  return out;
}

export function emptyCategoryCi(): CategoryCiStats {
  return {
    attributed_runs: 0,
    attributed_failures_caught: 0,
    attributed_false_positives: 0,
    attributed_tokens: 0,
    catch_rate: null,
    false_positive_rate: null,
    escape_rate: null,
    phases_in_ci_tiers: 0,
    profiles: [],
  };
}
