import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { rng } from '../../scripts/rng.mjs';

/**
 * A small simulated fleet for closed-loop replays: each category has a complexity, a number of phases
 * per run, and per model a known success rate and token need. A week of telemetry is generated from
 * whatever the target files say at the time, so a merged proposal changes what the next week costs.
 * Every phase draws its random numbers in the same order whatever the config (common random numbers):
 * two fleets differ only by what their configs make of the same draws.
 */

export type Model = 'claude-haiku-4-5' | 'claude-sonnet-5-5' | 'claude-opus-5-5';

export interface FleetCategory {
  name: string;
  complexity: 'low' | 'medium' | 'high';
  perRun: number;
  models: Record<Model, { success: number; tokens: number }>;
  /** Relative spread of a phase's tokens. */
  sd: number;
  /** Tokens of a failed phase (retries included) over a successful one. */
  failMult: number;
  /** Mean retries of a successful and of a failed phase. */
  retries: [number, number];
}

export const FLEET: FleetCategory[] = [
  // Easy work: a cheaper model does as well, within the point of success a downgrade may cost.
  {
    name: 'docs',
    complexity: 'low',
    perRun: 2,
    sd: 0.2,
    failMult: 1.5,
    retries: [0.2, 1.5],
    models: { 'claude-haiku-4-5': { success: 0.975, tokens: 70_000 }, 'claude-sonnet-5-5': { success: 0.98, tokens: 60_000 }, 'claude-opus-5-5': { success: 0.99, tokens: 55_000 } },
  },
  {
    name: 'tests',
    complexity: 'low',
    perRun: 2,
    sd: 0.2,
    failMult: 1.5,
    retries: [0.2, 1.5],
    models: { 'claude-haiku-4-5': { success: 0.93, tokens: 200_000 }, 'claude-sonnet-5-5': { success: 0.95, tokens: 180_000 }, 'claude-opus-5-5': { success: 0.96, tokens: 170_000 } },
  },
  // Right as it is.
  {
    name: 'feature',
    complexity: 'medium',
    perRun: 3,
    sd: 0.15,
    failMult: 1.05,
    retries: [0.4, 1.8],
    models: { 'claude-haiku-4-5': { success: 0.7, tokens: 380_000 }, 'claude-sonnet-5-5': { success: 0.88, tokens: 330_000 }, 'claude-opus-5-5': { success: 0.92, tokens: 300_000 } },
  },
  // Fails often and expensively on sonnet; opus does it.
  {
    name: 'integration',
    complexity: 'high',
    perRun: 1,
    sd: 0.2,
    failMult: 2.6,
    retries: [1.2, 3],
    models: { 'claude-haiku-4-5': { success: 0.4, tokens: 380_000 }, 'claude-sonnet-5-5': { success: 0.64, tokens: 300_000 }, 'claude-opus-5-5': { success: 0.86, tokens: 250_000 } },
  },
  // On opus already, but its cap truncates it.
  {
    name: 'schema',
    complexity: 'high',
    perRun: 1,
    sd: 0.1,
    failMult: 1.1,
    retries: [0.4, 1.5],
    models: { 'claude-haiku-4-5': { success: 0.4, tokens: 800_000 }, 'claude-sonnet-5-5': { success: 0.7, tokens: 760_000 }, 'claude-opus-5-5': { success: 0.86, tokens: 700_000 } },
  },
  // Easy for opus; sonnet manages with more tokens; haiku does not.
  {
    name: 'refactor',
    complexity: 'high',
    perRun: 1,
    sd: 0.15,
    failMult: 1.3,
    retries: [0.2, 1.5],
    models: { 'claude-haiku-4-5': { success: 0.6, tokens: 800_000 }, 'claude-sonnet-5-5': { success: 0.94, tokens: 620_000 }, 'claude-opus-5-5': { success: 0.96, tokens: 400_000 } },
  },
];

export const INITIAL_MODELS = `# Model per complexity and category.
LOW:
  default: claude-sonnet-5-5
MODERATE:
  default: claude-sonnet-5-5
HIGH:
  default: claude-sonnet-5-5
  schema: claude-opus-5-5
  refactor: claude-opus-5-5
`;

export const INITIAL_STRATEGY = `category_defaults:
  docs:
    incident_token_cap: 200_000
  tests:
    incident_token_cap: 400_000
  feature:
    incident_token_cap: 500_000
  integration:
    incident_token_cap: 800_000
  schema:
    incident_token_cap: 800_000
  refactor:
    incident_token_cap: 1_000_000
run_budget:
  core_build_tokens: 6_000_000
`;

/** USD per token at list price, 80% input and 20% output. */
export const PRICE: Record<Model, number> = { 'claude-haiku-4-5': (0.8 * 1 + 0.2 * 5) / 1e6, 'claude-sonnet-5-5': (0.8 * 2 + 0.2 * 10) / 1e6, 'claude-opus-5-5': (0.8 * 4 + 0.2 * 20) / 1e6 };

const LEVEL = { low: 'LOW', medium: 'MODERATE', high: 'HIGH' } as const;

export interface FleetConfig {
  model: (c: FleetCategory) => Model;
  cap: (c: FleetCategory) => number;
}

/** What the target files configure now. */
export async function readFleetConfig(dir: string): Promise<FleetConfig> {
  const models = parseDocument(await readFile(join(dir, 'models.yaml'), 'utf8'), { version: '1.1' });
  const strategy = parseDocument(await readFile(join(dir, 'strategy.yaml'), 'utf8'), { version: '1.1' });
  return {
    model: (c) => (models.getIn([LEVEL[c.complexity], c.name]) ?? models.getIn([LEVEL[c.complexity], 'default'])) as Model,
    cap: (c) => strategy.getIn(['category_defaults', c.name, 'incident_token_cap']) as number,
  };
}

export interface WeekResult {
  phases: number;
  successes: number;
  usd: number;
}

const DAY = 86_400_000;

/**
 * One week of phases (seven days, two runs a day) under `config`, appended to `file` as tokentune
 * JSONL when a file is given; returns what the week achieved and cost.
 */
export async function simulateWeek(
  week: number,
  startMs: number,
  config: FleetConfig,
  file?: string,
  fleet: readonly FleetCategory[] = FLEET,
): Promise<WeekResult & { byCategory: Record<string, WeekResult> }> {
  const rand = rng(1000 + week);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const lines: string[] = [];
  const out: WeekResult & { byCategory: Record<string, WeekResult> } = { phases: 0, successes: 0, usd: 0, byCategory: {} };
  for (let d = 0; d < 7; d++) {
    for (let r = 0; r < 2; r++) {
      const runId = `w${week}-d${d}-r${r}`;
      let ts = startMs + d * DAY + r * 10 * 3_600_000;
      for (const c of fleet) {
        const cat = (out.byCategory[c.name] ??= { phases: 0, successes: 0, usd: 0 });
        for (let i = 0; i < c.perRun; i++) {
          // The same draws in the same order whatever the config.
          const u = rand();
          const z = normal();
          const ur = rand();
          const model = config.model(c);
          const cap = config.cap(c);
          const m = c.models[model];
          let ok = u < m.success;
          let tokens = Math.max(1_000, Math.round(m.tokens * (1 + c.sd * z) * (ok ? 1 : c.failMult)));
          const truncated = tokens >= cap;
          if (truncated) {
            tokens = cap;
            ok = false;
          }
          const retries = poissonFrom(ur, ok ? c.retries[0] : c.retries[1]);
          ts += 60_000;
          out.phases++;
          if (ok) out.successes++;
          out.usd += tokens * PRICE[model];
          cat.phases++;
          if (ok) cat.successes++;
          cat.usd += tokens * PRICE[model];
          lines.push(
            JSON.stringify({
              type: 'phase',
              ts: new Date(ts).toISOString(),
              run_id: runId,
              tier_id: 'T1',
              phase_id: `${runId}.${c.name}.${i}`,
              category: c.name,
              complexity: c.complexity,
              builder_model: model,
              tokens_used: tokens,
              incident_token_cap: cap,
              outcome: ok ? 'success' : 'failed',
              builder_attempts: 1 + retries,
              auditor_attempts: 1,
              retries,
              ...(truncated ? { stop_reason: 'max_tokens' } : {}),
            }),
          );
        }
      }
    }
  }
  if (file) await appendFile(file, lines.join('\n') + '\n');
  return out;
}

/** Inverse CDF of a Poisson distribution at u: one draw per phase, so the draw count never depends on the mean. */
function poissonFrom(u: number, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u > cdf && k < 20) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

export async function writeFleetRepo(
  dir: string,
  initial: { models: string; strategy: string } = { models: INITIAL_MODELS, strategy: INITIAL_STRATEGY },
): Promise<{ config: string; targets: string; telemetry: string }> {
  const targets = join(dir, 'targets');
  await mkdir(targets, { recursive: true });
  await mkdir(join(dir, 'telemetry'), { recursive: true });
  await writeFile(join(targets, 'models.yaml'), initial.models);
  await writeFile(join(targets, 'strategy.yaml'), initial.strategy);
  const config = join(dir, 'tuner.yaml');
  await writeFile(
    config,
    `sources: [{path: telemetry/phases.jsonl}]
targets:
  - {path: targets/models.yaml, preset: seed-models}
  - {path: targets/strategy.yaml, preset: seed-strategy}
models:
  ladders:
    anthropic: [claude-haiku-4-5, claude-sonnet-5-5, claude-opus-5-5]
llm: {enabled: false}
publish: {enabled: false}
state: {dir: state}
`,
  );
  return { config, targets, telemetry: join(dir, 'telemetry/phases.jsonl') };
}
