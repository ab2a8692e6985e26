#!/usr/bin/env node
// Prompt size of the tuning call (`npm run bench`). Renders the real prompt with the built CLI
// (`--show-prompt`) for the bundled example and for a generated 50-category catalogue, and counts
// tokens with @anthropic-ai/tokenizer — the legacy Claude tokenizer, so the counts are estimates
// (current models tokenize differently; the API's usage block is the exact figure).
// Target (issue 3): <= 8,000 input tokens at 50 categories.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countTokens } from '@anthropic-ai/tokenizer';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out/prompt');
mkdirSync(OUT, { recursive: true });

// Prices of the default tuning model, claude-sonnet-5-5, USD per token.
const PRICE = { input: 2e-6, cache_write: 2.5e-6, cache_read: 0.2e-6, output: 10e-6 };
const TYPICAL_OUTPUT = 1500;
const MAX_OUTPUT = 4096;

function prompt(config) {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/main.js'), '--dry-run', '--json', '--show-prompt', '--config', config], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, ANTHROPIC_API_KEY: '' },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).prompt;
}

function measure(name, config) {
  const p = prompt(config);
  const system = countTokens(p.system);
  const user = countTokens(p.user);
  const input = system + user;
  // First request: the cached blocks are written to the cache; a repair request reads them back.
  const first = input * PRICE.cache_write;
  return {
    dataset: name,
    system_tokens: system,
    user_tokens: user,
    input_tokens: input,
    characters: p.system.length + p.user.length,
    cost_usd_typical: +(first + TYPICAL_OUTPUT * PRICE.output).toFixed(4),
    cost_usd_max_output: +(first + MAX_OUTPUT * PRICE.output).toFixed(4),
  };
}

// A 50-category catalogue and target files that name every category.
const data = join(OUT, 'cat50');
const gen = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-fixtures.mjs'), '--out', data, '--categories', '50'], { encoding: 'utf8' });
if (gen.status !== 0) throw new Error(gen.stderr);
// Each category's complexity, cap and builder model, as generated.
const seen = new Map();
for (const line of readFileSync(join(data, 'phases.jsonl'), 'utf8').split('\n')) {
  if (!line) continue;
  const r = JSON.parse(line);
  seen.set(r.category, [r.complexity, r.incident_token_cap, r.builder_model]);
}
const names = [...seen];
const level = { low: 'LOW', medium: 'MODERATE', high: 'HIGH' };
const models = ['LOW', 'MODERATE', 'HIGH']
  .map(
    (c) =>
      `${c}:\n  default: claude-sonnet-4-5\n${names
        .filter(([, [x, , m]]) => level[x] === c && m !== 'claude-sonnet-4-5')
        .map(([n, [, , m]]) => `  ${n}: ${m}\n`)
        .join('')}`,
  )
  .join('\n');
const strategy = `category_defaults:\n${names.map(([n, [x, cap]]) => `  ${n}:\n    incident_token_cap: ${cap}\n    ci_profile: ci_standard\n    model_complexity: ${level[x]}\n`).join('')}run_budget:\n  core_build_tokens: 20_000_000\n  aux_agent_tokens: 800_000\n`;
writeFileSync(join(OUT, 'models.yaml'), models);
writeFileSync(join(OUT, 'strategy.yaml'), strategy);
writeFileSync(
  join(OUT, 'tuner.yaml'),
  `project: catalogue-50\nsources: [{path: ${data}}]\ntargets:\n  - {path: models.yaml, preset: seed-models}\n  - {path: strategy.yaml, preset: seed-strategy}\nmodels:\n  ladders:\n    anthropic: [claude-haiku-4-5, claude-sonnet-4-5, claude-opus-4-5]\n    openai: [gpt-4.1-mini, gpt-4.1]\n`,
);

const results = [measure('bundled example (8 categories)', join(ROOT, 'config/tuner.example.yaml')), measure(`generated catalogue (${names.length} categories)`, join(OUT, 'tuner.yaml'))];
const out = {
  tokenizer: '@anthropic-ai/tokenizer (legacy Claude tokenizer: an estimate)',
  model: 'claude-sonnet-5-5',
  typical_output_tokens: TYPICAL_OUTPUT,
  results,
  target: { input_tokens_at_50_categories: '<= 8000' },
  pass: results[1].input_tokens <= 8000,
};
console.log(JSON.stringify(out, null, 2));
writeFileSync(join(ROOT, 'bench/out/prompt-size.json'), JSON.stringify(out, null, 2));
