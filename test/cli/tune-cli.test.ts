import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, tune } from '../helpers/cli.js';

const sha = async (p: string) =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');
const TARGETS = ['config/example-target/models.yaml', 'config/example-target/strategy_engine_config.yaml'].map((p) => join(ROOT, p));

describe('tune --dry-run on the bundled example', () => {
  it('prints the report with every section and the diffs, and writes nothing', async () => {
    const before = await Promise.all(TARGETS.map(sha));
    const state = await mkdtemp(join(tmpdir(), 'tokentune-state-'));
    const r = await tune(['--dry-run', '--config', EXAMPLE], { XDG_STATE_HOME: state });
    expect(r.code).toBe(0);
    for (const h of [
      '# Cost / Budget Tuning Report: example-app',
      '## Executive summary',
      '## Cost breakdown',
      '### Downgrade candidates',
      '### Upgrade candidates (pilots)',
      '## Budget cap adjustments',
      '## CI profile optimisation',
      '## Run-level budget',
      '## Failure cost analysis',
      '## Cost trend',
      '## Config file updates',
      '## Confidence and caveats',
    ]) {
      expect(r.stdout).toContain(h);
    }
    expect(r.stdout).toContain('mechanical rules only (no ANTHROPIC_API_KEY set)');
    // claude-sonnet-4-5 retired on 2026-11-30 and claude-opus-4-5 retires on 2027-01-22: every entry
    // naming them migrates, one row per key, comments kept.
    expect(r.stdout).toContain('+  default: claude-sonnet-5-5   # simple, well-specified work');
    expect(r.stdout).toContain('### Migrations off retiring models');
    expect(r.stdout).toContain('| HIGH.schema_contract_change | builder | claude-opus-4-5 → claude-opus-5-5 |');
    // Signs say what they mean, CI effects are tokens, not dollars.
    expect(r.stdout).toContain('- Expected effect per run: −118K tokens; +$0.26, an added cost');
    expect(r.stdout).toContain('| LOW.default | builder | claude-sonnet-4-5 → claude-sonnet-5-5 | builder calls on claude-sonnet-4-5, 42% of them by phases governed | −$0.86, a saving |');
    // tests passes the downgrade test on its face (94% success), not on its bounds: it waits.
    expect(r.stdout).toMatch(/tests \(low\): passes the downgrade test on its face \(success 94%.*not on its one-sided 95% bounds over 112 phases \(success at least 88\.9%/);
    expect(r.stdout).toContain('- Expected effect per run: +25K tokens-equivalent of CI (more CI work; CI is not priced)');
    // docs moves to haiku in this proposal: its cap cut waits for haiku's own data; a raise never waits.
    expect(r.stdout).toContain('docs: cap 200,000 → 110,000 held back: this proposal changes the category');
    expect(r.stdout).not.toMatch(/external_feature_reuse: cap 800,000 → 1,000,000 held back/);
    expect(r.stdout).toMatch(/\| tests \| ci_standard \| \d+ \| 2\.2% \| 33\.8% \| 6\.3% \| \*\*ci_minimal\*\* \|/);
    expect(r.stderr).toMatch(/dry run, nothing written: \d+ changes from 2,272 new records in 3 files/);
    expect(await Promise.all(TARGETS.map(sha))).toEqual(before);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(state)).toEqual([]);
  });

  it('--json prints the documented contract with the expected decisions', async () => {
    const r = await tune(['--dry-run', '--json', '--config', EXAMPLE]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['status', 'window', 'changes', 'rejected', 'diffs', 'report', 'skipped_lines', 'llm']));
    expect(out.status).toBe('proposal');
    expect(out.window).toEqual({ since: '2026-10-24', until: '2026-11-20', days: 28 });
    expect(out.llm).toMatchObject({ used: false, model: null, input_tokens: 0, output_tokens: 0, cost_usd: 0 });
    expect(out.skipped_lines.count).toBe(0);
    for (const c of out.changes) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['kind', 'category', 'complexity', 'role', 'from', 'to', 'source', 'evidence', 'rationale', 'confidence', 'pilot']));
    }
    const key = (c: { kind: string; category: string | null; key: string | null; to: unknown }) => `${c.kind}:${c.category ?? c.key}:${c.to}`;
    const keys = out.changes.map(key);
    // the decisions each example category was shaped for
    expect(keys).toEqual(
      expect.arrayContaining([
        'model:docs:claude-haiku-4-5',
        'model:external_feature_reuse:claude-opus-5-5',
        'model:schema_contract_change:claude-opus-5-5',
        'model:default:claude-sonnet-5-5',
        'model:debt_cleanup:claude-sonnet-5-5',
        'token_cap:schema_contract_change:1000000',
        'token_cap:external_feature_reuse:1000000',
        'ci_profile:tests:ci_minimal',
        'ci_profile:external_feature_reuse:ci_strict',
      ]),
    );
    expect(keys.some((k: string) => k.startsWith('token_cap:feature_scaffolding') || k.startsWith('token_cap:security_auth_change'))).toBe(false);
    // Nothing moves to a model that retires within the horizon.
    expect(keys.some((k: string) => k.endsWith('-4-5') && !k.endsWith('haiku-4-5'))).toBe(false);
    expect(out.changes.find((c: { kind: string; direction: string }) => c.kind === 'model' && c.direction === 'up').pilot).toBe(true);
    expect(out.findings.some((f: { kind: string; category: string }) => f.kind === 'needs_more_data' && f.category === 'cross_cutting_refactor')).toBe(true);
    expect(Object.keys(out.diffs)).toEqual(['config/example-target/models.yaml', 'config/example-target/strategy_engine_config.yaml']);
  });

  it('--show-prompt prints the rendered prompt before the report', async () => {
    const r = await tune(['--dry-run', '--show-prompt', '--config', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout.indexOf('===== system prompt =====')).toBe(0);
    expect(r.stdout).toContain('## 1. Per-phase token usage, failures and retries by category');
    expect(r.stdout).toContain('"external_feature_reuse" |');
    expect(r.stdout).not.toContain('run-00001');
  });

  it('--since/--until set the window; a bad date exits 2', async () => {
    const r = await tune(['--dry-run', '--json', '--since', '2026-11-10', '--until', '2026-11-20', '--config', EXAMPLE]);
    expect(JSON.parse(r.stdout).window).toEqual({ since: '2026-11-10', until: '2026-11-20', days: 11 });
    const bad = await tune(['--dry-run', '--since', '10/11/2026', '--config', EXAMPLE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be a date written YYYY-MM-DD');
    // Dates the calendar does not have are refused as typed, never rolled over into the next month.
    for (const [flag, day] of [
      ['--since', '2026-02-30'],
      ['--until', '2026-11-31'],
    ]) {
      const r2 = await tune(['--dry-run', flag!, day!, '--config', EXAMPLE]);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toContain(`${flag} ${day} is not a day of the calendar`);
    }
    const report = await tune(['report', 'daily', '--since', '20261131', '--config', EXAMPLE]);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('--since 20261131 is not a day of the calendar');
  });
});

describe('parallel ingest', () => {
  // Everything but the generation time and the thread count must be identical.
  const comparable = (j: { report: string; ingest: object }) => ({
    ...j,
    report: j.report.replace(/\*\*Generated\*\*: \S+/, '').replace(/(seq|par)\.yaml/g, 'x.yaml'),
    findings: JSON.parse(JSON.stringify((j as { findings?: unknown }).findings ?? []).replace(/(seq|par)\.yaml/g, 'x.yaml')) as unknown,
    ingest: { ...j.ingest, threads: undefined },
  });

  it('gives exactly the sequential result on the example when forced onto worker threads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokentune-par-'));
    const text = (await readFile(EXAMPLE, 'utf8')).replace('../fixtures/example', join(ROOT, 'fixtures/example')).replace(/path: example-target/g, `path: ${join(ROOT, 'config/example-target')}`);
    await writeFile(join(dir, 'seq.yaml'), `${text}\ningest: {workers: 1}\n`);
    await writeFile(join(dir, 'par.yaml'), `${text}\ningest: {workers: 3, parallel_min_bytes: 0}\n`);
    const seq = JSON.parse((await tune(['--dry-run', '--json', '--config', join(dir, 'seq.yaml')])).stdout);
    const par = JSON.parse((await tune(['--dry-run', '--json', '--config', join(dir, 'par.yaml')])).stdout);
    expect(par.ingest).toMatchObject({ records: 2272, threads: 3 });
    expect(seq.ingest.threads).toBe(1);
    expect(comparable(par)).toEqual(comparable(seq));
  });

  it('numbers skipped lines by their place in the whole file across range cuts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokentune-par-'));
    const mixed = join(ROOT, 'fixtures/small/mixed.jsonl');
    await writeFile(join(dir, 'seq.yaml'), `sources: [{path: ${mixed}}]\ntargets: [{path: ${join(ROOT, 'config/example-target/models.yaml')}, preset: seed-models}]\ningest: {workers: 1}\n`);
    await writeFile(
      join(dir, 'par.yaml'),
      `sources: [{path: ${mixed}}]\ntargets: [{path: ${join(ROOT, 'config/example-target/models.yaml')}, preset: seed-models}]\ningest: {workers: 4, parallel_min_bytes: 0}\n`,
    );
    const seq = JSON.parse((await tune(['--dry-run', '--json', '--config', join(dir, 'seq.yaml')])).stdout);
    const par = JSON.parse((await tune(['--dry-run', '--json', '--config', join(dir, 'par.yaml')])).stdout);
    expect(par.skipped_lines).toEqual(seq.skipped_lines);
    expect(par.skipped_lines.details.map((d: { line: number }) => d.line)).toEqual([2, 3, 4, 5, 6, 7, 9, 11, 13]);
  });
});

describe('tune: bad input', () => {
  it('a bad flag exits 2 with usage', async () => {
    const r = await tune(['--dry-run', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('a bad config exits 2 naming the key path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokentune-cli-'));
    await writeFile(join(dir, 't.yaml'), 'sources: [{path: x}]\ntargets: [{preset: seed-models}]\n');
    const r = await tune(['--dry-run', '--config', join(dir, 't.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('targets[0].path: required');
  });

  it('a missing source exits 2 naming the config, its key and the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokentune-cli-'));
    await writeFile(join(dir, 't.yaml'), 'sources: [{path: telemetry.jsonl}, {path: nowhere}]\n');
    await writeFile(join(dir, 'telemetry.jsonl'), '');
    const r = await tune(['--dry-run', '--config', join(dir, 't.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 't.yaml')}: sources[1].path: ${join(dir, 'nowhere')}: no such file or directory`);
  });

  it('each command has its own help, by --help and by tune help; a flag it does not take is an error', async () => {
    for (const args of [
      ['check', '--help'],
      ['help', 'check'],
    ]) {
      const r = await tune(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: tune check \[options\]/);
      expect(r.stdout).toContain('--exit-code');
      expect(r.stdout).not.toContain('--dry-run');
    }
    expect((await tune(['help', 'init'])).stdout).toMatch(/^Usage: tune init \[options\]/);
    for (const flag of ['--dry-run', '--show-prompt', '--since']) {
      const r = await tune(['check', flag, ...(flag === '--since' ? ['2026-11-01'] : []), '--config', EXAMPLE]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`unknown option '${flag}'`);
    }
  });

  it('bad telemetry lines are skipped, listed with file:line and counted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokentune-cli-'));
    const mixed = join(ROOT, 'fixtures/small/mixed.jsonl');
    await writeFile(join(dir, 't.yaml'), `sources: [{path: ${mixed}}]\ntargets: [{path: ${join(ROOT, 'config/example-target/models.yaml')}, preset: seed-models}]\n`);
    const r = await tune(['--dry-run', '--json', '--config', join(dir, 't.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`tune: skipped ${mixed}:2: tokens_used: must not be negative`);
    const out = JSON.parse(r.stdout);
    expect(out.skipped_lines.count).toBe(9);
    expect(out.skipped_lines.details[0]).toEqual({ file: mixed, line: 2, reason: 'tokens_used: must not be negative' });
    expect(out.report).toContain('9 telemetry lines were skipped');
  });

  it('--help lists the commands, and each command documents its own flags', async () => {
    const r = await tune(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['tune', 'check', 'daemon', '--version']) expect(r.stdout).toContain(c);
    const own = await tune(['help', 'tune']);
    for (const f of ['--config', '--dry-run', '--json', '--show-prompt', '--since', '--until', '--force', '--no-push', '--rebuild-state']) expect(own.stdout).toContain(f);
    const check = await tune(['check', '--help']);
    expect(check.code).toBe(0);
    for (const f of ['--config', '--json', '--exit-code', '--rebuild-state']) expect(check.stdout).toContain(f);
    expect(check.stdout).not.toContain('--dry-run');
    expect((await tune(['frobnicate'])).code).toBe(2);
  });

  it('an empty window ends with status no-data and one clear line', async () => {
    const r = await tune(['--dry-run', '--since', '2020-01-01', '--until', '2020-01-05', '--config', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('no-data: no telemetry from 2020-01-01 to 2020-01-05; nothing to analyse (no LLM call, $0)\n');
    const json = JSON.parse((await tune(['--dry-run', '--json', '--since', '2020-01-01', '--until', '2020-01-05', '--config', EXAMPLE])).stdout);
    expect(json).toMatchObject({ status: 'no-data', window: { since: '2020-01-01', until: '2020-01-05', days: 5 } });
  });
});
