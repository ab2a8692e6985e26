import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/common/errors.js';

const parse = (yaml: string) => parseConfig(yaml, '/cfg/tuner.yaml');

describe('tuner config', () => {
  it('fills every rule boundary with the brief’s defaults and resolves paths against the config folder', () => {
    const c = parse('sources: [{path: ../data}]\ntargets: [{path: models.yaml, preset: seed-models}]\n');
    expect(c.sources).toEqual([{ path: '/data', format: 'tokentune-jsonl' }]);
    expect(c.targets).toEqual([{ path: '/cfg/models.yaml', preset: 'seed-models' }]);
    expect(c.config.rules).toMatchObject({
      min_phases: 10,
      downgrade: { min_success_rate: 0.9, max_retries_per_phase: 0.5, max_cap_utilisation: 0.7 },
      upgrade: { max_success_rate: 0.75, min_retries_per_phase: 1.5, min_cap_utilisation: 0.8 },
      cap: { reduce_below: 0.7, increase_above: 0.95, calibrated_low: 0.7, calibrated_high: 0.9, min_change: 0.1 },
      ci: { max_catch_rate: 0.1, ladder: ['ci_minimal', 'ci_standard', 'ci_strict'] },
    });
    expect(c.config.window.days).toBe(28);
  });

  it.each([
    ['sources: [{path: x}]\ntargets: [{preset: seed-models}]\n', 'targets[0].path: required'],
    ['targets: []\n', 'sources: required'],
    ['sources: [{path: x}]\nrules: {downgrad: {}}\n', 'rules: unknown key "downgrad"'],
    ['sources: [{path: x}]\nrules: {cap: {reduce_below: 7}}\n', 'rules.cap.reduce_below: Too big'],
    ['sources: [{path: x}]\ntargets: [{path: a, preset: other}]\n', 'targets[0].preset: Invalid option'],
    ['sources: [{path: x}]\nmodels: {ladders: {anthropic: [claude-haiku-4-5, gpt-9]}}\n', 'models.ladders.anthropic[1]: model "gpt-9" is not in the price table'],
    ['sources: [{path: x}]\nmodels: {ladders: {anthropic: [claude-opus-4-5, claude-haiku-4-5]}}\n', 'models.ladders.anthropic[1]: "claude-haiku-4-5" is not dearer'],
    [
      'sources: [{path: x}]\nmodels: {ladders: {anthropic: [claude-haiku-4-5, claude-sonet-5-5]}}\n',
      'models.ladders.anthropic[1]: model "claude-sonet-5-5" is not in the price table (did you mean "claude-sonnet-5-5"',
    ],
    ['sources: [{path: x}]\nmodels: {retirements: {m: {retires: soon, successor: n}}}\n', 'models.retirements.m.retires: expected a date as YYYY-MM-DD'],
    ['sources: [{path: x}\n', 'tuner.yaml: '],
  ])('rejects %j naming the key', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(ConfigError);
    expect(() => parse(yaml)).toThrow(message);
  });

  it('accepts extra prices under LiteLLM names, usable on ladders', () => {
    const c = parse(
      'sources: [{path: x}]\npricing: {models: {my-model: {litellm_provider: custom, input_cost_per_token: 0.00001, output_cost_per_token: 0.00003}}}\nmodels: {ladders: {custom: [claude-haiku-4-5, my-model]}}\n',
    );
    expect(c.pricing.table['my-model']).toMatchObject({ input_cost_per_token: 0.00001 });
  });

  it('names a config file that does not exist', async () => {
    await expect(loadConfig('/nope/tuner.yaml')).rejects.toThrow('/nope/tuner.yaml: config file not found');
    const dir = await mkdtemp(join(tmpdir(), 'tokentune-cfg-'));
    await writeFile(join(dir, 't.yaml'), 'sources: [{path: data}]\n');
    // A source that is not there is named by the config and its key.
    await expect(loadConfig(join(dir, 't.yaml'))).rejects.toThrow(`${join(dir, 't.yaml')}: sources[0].path: ${join(dir, 'data')}: no such file or directory`);
    await mkdir(join(dir, 'data'));
    expect((await loadConfig(join(dir, 't.yaml'))).sources[0]!.path).toBe(join(dir, 'data'));
  });
});

describe('the documented configs', () => {
  it('the README example and the full reference in docs/CONFIG.md are valid configs', async () => {
    const { readFile } = await import('node:fs/promises');
    const root = join(import.meta.dirname, '../..');
    const readme = /## Config reference[\s\S]*?```yaml\n([\s\S]*?)```/.exec(await readFile(join(root, 'README.md'), 'utf8'))![1]!;
    const full = /```yaml\n([\s\S]*?)```/.exec(await readFile(join(root, 'docs/CONFIG.md'), 'utf8'))![1]!;
    expect(parseConfig(readme, '/t/tuner.yaml').config.rules.max_move).toBe(0.5);
    expect(parseConfig(full, '/t/tuner.yaml').config.models.retirement_horizon_days).toBe(60);
  });
});
