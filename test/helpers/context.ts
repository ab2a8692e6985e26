import { parseConfig } from '../../src/config/load.js';
import { ruleContext } from '../../src/rules/rule-context.js';
import { readTargets, type TargetState } from '../../src/targets/read.js';
import type { TelemetryRecord } from '../../src/sources/records.js';
import { rollupsOf, viewOf } from './records.js';
import { computeStats } from '../../src/stats/compute.js';
import { resolveWindow } from '../../src/stats/window.js';
import type { KeyHistory, RuleContext } from '../../src/rules/context.js';

export const MODELS_YAML = `# models
LOW:
  default: claude-sonnet-5-5
MODERATE:
  default: claude-sonnet-5-5
HIGH:
  default: claude-sonnet-5-5
  top: claude-opus-5-5
`;

export function strategyYaml(caps: Record<string, number>, ci: Record<string, string> = {}, budgets?: { core: number; aux: number }): string {
  const cats = Object.keys({ ...caps, ...ci });
  const body = cats.map((c) => `  ${c}:\n${caps[c] !== undefined ? `    incident_token_cap: ${caps[c]}\n` : ''}${ci[c] ? `    ci_profile: ${ci[c]}\n` : ''}`).join('');
  const budget = budgets ? `run_budget:\n  core_build_tokens: ${budgets.core}\n  aux_agent_tokens: ${budgets.aux}\n` : '';
  return `category_defaults:\n${body}${budget}`;
}

export function targetsOf(strategy: string, models = MODELS_YAML): TargetState {
  return readTargets([
    { path: '/t/models.yaml', display: 'models.yaml', preset: 'seed-models', text: models },
    { path: '/t/strategy.yaml', display: 'strategy.yaml', preset: 'seed-strategy', text: strategy },
  ]);
}

/** A rule context over the given records and targets, with the default rules unless overridden. */
export function contextOf(records: TelemetryRecord[], targets: TargetState, tunerYaml = '', o: { history?: KeyHistory; now?: Date; days?: number } = {}): RuleContext {
  const loaded = parseConfig(`sources: [{path: x}]\n${tunerYaml}`, '/t/tuner.yaml');
  const r = rollupsOf(records);
  const range = resolveWindow({ days: o.days ?? 28, maxTs: r.max_ts });
  const view = viewOf(r, range);
  const stats = computeStats(view, { range, pricing: loaded.pricing, defaultOutputShare: loaded.config.pricing.default_output_share });
  return ruleContext(loaded, stats, targets, { view, range }, o);
}
