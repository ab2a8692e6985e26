import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClaudeCodeLine } from '../../src/sources/claude-code.js';
import { parseTokentuneLine } from '../../src/sources/tokentune-jsonl.js';
import { isoTimestampMs } from '../../src/sources/parse.js';
import { EXAMPLE, exampleConfig, ROOT, tempDir, tune, TUNE } from '../helpers/cli.js';

/** Input that lies, and an environment that misbehaves: a clear line, never a stack. */
describe('input that lies', () => {
  it('refuses dates the calendar lacks and times past midnight, instead of moving them to another day', () => {
    for (const bad of ['2026-02-30T10:00:00Z', '2026-04-31T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T10:60:00Z', '2026-13-01T00:00:00Z', '2026-11-20T10:00:00'])
      expect(isoTimestampMs(bad), bad).toBeNaN();
    for (const good of ['2028-02-29T10:00:00Z', '2026-11-20T23:59:59.999+05:30', '2026-11-20T10:00Z']) expect(isoTimestampMs(good), good).toBe(Date.parse(good));
    const phase = (ts: string) =>
      JSON.stringify({
        type: 'phase',
        ts,
        run_id: 'r',
        tier_id: 'T',
        phase_id: 'p',
        category: 'c',
        complexity: 'low',
        builder_model: 'm',
        tokens_used: 1,
        incident_token_cap: 10,
        outcome: 'success',
        builder_attempts: 1,
        auditor_attempts: 1,
        retries: 0,
      });
    expect(parseTokentuneLine(phase('2026-02-30T10:00:00Z'))).toMatchObject({ error: expect.stringMatching(/ts: not an ISO 8601 timestamp/) });
    expect(parseTokentuneLine(phase('2026-02-28T10:00:00Z'))).toMatchObject({ records: [expect.objectContaining({ kind: 'phase' })] });
  });

  it('skips a Claude Code line with a negative cost or an impossible time, saying why', () => {
    const line = (o: object) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 's',
        timestamp: '2026-11-20T10:00:00Z',
        requestId: 'q',
        message: { id: 'm1', model: 'claude-sonnet-5-5', usage: { input_tokens: 1, output_tokens: 1 } },
        ...o,
      });
    expect(parseClaudeCodeLine(line({ costUSD: -500 }), 'f')).toMatchObject({ error: 'costUSD: must not be negative, found -500' });
    expect(parseClaudeCodeLine(line({ timestamp: '2026-11-20T24:00:00Z' }), 'f')).toMatchObject({ error: expect.stringMatching(/^timestamp: expected ISO 8601/) });
    expect(parseClaudeCodeLine(line({ costUSD: 0.5 }), 'f')).toMatchObject({ records: [expect.objectContaining({ cost_usd: 0.5 })] });
  });
});

describe('hostile config and environment', () => {
  it('names a YAML alias bomb in the config as a config error, exit 2', async () => {
    const dir = await tempDir('tokentune-bomb-');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    await writeFile(join(dir, 't.yaml'), `${levels.join('\n')}\nsources: [{path: x}]\n`);
    const r = await tune(['check', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^tune: .*t\.yaml: not a usable YAML document: .*alias/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a Postgres password in the query as in the userinfo, without showing it', async () => {
    const dir = await tempDir('tokentune-pgq-');
    for (const url of ['postgres://autopack@db.example/autopack?password=hunter2', 'postgresql://db.example/autopack?sslmode=require&PASSWORD=hunter2']) {
      await writeFile(join(dir, 't.yaml'), `sources: [{format: autopack-db, url: '${url}'}]\n`);
      const r = await tune(['check', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('sources[0].url: holds a password: leave it out');
      expect(r.stderr).not.toContain('hunter2');
    }
  });

  it('refuses a target outside its repository, by path or by symlink, before reading it', async () => {
    const dir = await tempDir('tokentune-escape-');
    const repo = join(dir, 'repo');
    await mkdir(join(repo, '.git'), { recursive: true });
    await writeFile(join(dir, 'secret.yaml'), 'token: SECRET-CONTENT\n');
    await copyFile(join(ROOT, 'config/example-target/models.yaml'), join(repo, 'models.yaml'));
    await symlink(join(dir, 'secret.yaml'), join(repo, 'linked.yaml'));
    const config = (target: string) =>
      `sources: [{path: ${join(ROOT, 'fixtures/example')}, format: tokentune-jsonl}]\ntargets:\n  - {path: models.yaml, preset: seed-models}\n  - {path: ${target}, preset: seed-strategy}\npublish: {enabled: false}\n`;
    for (const [target, shown] of [
      ['../secret.yaml', /targets\[1\]\.path: .*secret\.yaml is outside the repository /],
      ['linked.yaml', /linked\.yaml \(it resolves to .*secret\.yaml\) is outside the repository /],
    ] as const) {
      await writeFile(join(repo, 'tuner.yaml'), config(target));
      for (const args of [['check'], ['--dry-run']]) {
        const r = await tune([...args, '--config', join(repo, 'tuner.yaml')], { XDG_STATE_HOME: dir });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(shown);
        expect(r.stdout + r.stderr).not.toContain('SECRET-CONTENT');
      }
    }
    // The same file inside the repository is read.
    await copyFile(join(ROOT, 'config/example-target/strategy_engine_config.yaml'), join(repo, 'strategy.yaml'));
    await writeFile(join(repo, 'tuner.yaml'), config('strategy.yaml'));
    const ok = await tune(['check', '--config', join(repo, 'tuner.yaml')], { XDG_STATE_HOME: dir });
    expect(ok.stderr).not.toMatch(/outside/);
    expect([0, 1]).toContain(ok.code);
  });

  it('ends quietly when its reader stops early (a closed pipe)', async () => {
    const dir = await tempDir('tokentune-epipe-');
    const child = spawn(process.execPath, [TUNE, '--dry-run', '--json', '--config', EXAMPLE], { env: { ...process.env, XDG_STATE_HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    // Read the first bytes, then close the pipe as `head -c 100` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, err).toBe(0);
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
  });
});

describe('a model with no price', () => {
  it('is marked unpriced in the usage JSON and table, never shown as free', async () => {
    const { mkdir } = await import('node:fs/promises');
    const dir = await tempDir('tokentune-unpriced-');
    await mkdir(join(dir, 'projects', 'p'), { recursive: true });
    const line = (id: string, model: string) =>
      JSON.stringify({ type: 'assistant', sessionId: 's1', timestamp: '2026-11-20T10:00:00Z', requestId: `q-${id}`, message: { id, model, usage: { input_tokens: 1000, output_tokens: 100 } } });
    await writeFile(join(dir, 'projects', 'p', 's1.jsonl'), `${line('m1', 'claude-made-up-9')}\n${line('m2', 'claude-sonnet-5-5')}\n`);
    await writeFile(join(dir, 't.yaml'), `sources: [{path: projects, format: claude-code}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const json = await tune(['report', 'model', '--json', '--config', join(dir, 't.yaml')], env);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { models: { model: string; totalCost: number; modelBreakdowns: { unpriced?: boolean }[] }[]; totals: { unpricedModels?: string[] } };
    expect(out.totals.unpricedModels).toEqual(['claude-made-up-9']);
    expect(out.models.find((m) => m.model === 'claude-made-up-9')!.modelBreakdowns[0]).toMatchObject({ unpriced: true });
    expect(out.models.find((m) => m.model === 'claude-sonnet-5-5')!.modelBreakdowns[0]!.unpriced).toBeUndefined();
    const text = await tune(['report', 'model', '--config', join(dir, 't.yaml')], env);
    expect(text.stdout).toMatch(/made-up-9 .* unpriced/);
    expect(text.stdout).toMatch(/Total .*\$[\d.]+\*/);
    expect(text.stdout).toContain('* leaves out a model with no price');
  });
});

describe('hostile names on a terminal', () => {
  it('shows bidi and escape controls inert in notes, errors and the printed prompt, line breaks kept', async () => {
    const { termBlock } = await import('../../src/common/escape.js');
    expect(termBlock('a\u001b[31mred\u202egnp.exe\nnext\tcol')).toBe('a\\u001b[31mred\\u202egnp.exe\nnext\tcol');
    const { mkdir } = await import('node:fs/promises');
    const dir = await tempDir('tokentune-bidi-');
    await mkdir(join(dir, 'data'));
    const evil = 'docs\u202eexe.\u001b[2J';
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({
        type: 'phase',
        ts: `2026-11-${String(10 + (i % 5)).padStart(2, '0')}T10:00:00Z`,
        run_id: `r${i % 6}`,
        tier_id: 'T1',
        phase_id: `p${i}`,
        category: evil,
        complexity: 'low',
        builder_model: 'claude-sonnet-5-5',
        tokens_used: 50_000,
        incident_token_cap: 200_000,
        outcome: 'success',
        builder_attempts: 1,
        auditor_attempts: 1,
        retries: 0,
      }),
    );
    await writeFile(join(dir, 'data', 'a.jsonl'), `${lines.join('\n')}\n`);
    await writeFile(join(dir, 't.yaml'), `sources: [{path: data}]\ntargets: [{path: ${join(ROOT, 'config/example-target/models.yaml')}, preset: seed-models}]\n`);
    const r = await tune(['--dry-run', '--show-prompt', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: join(dir, 's'), ANTHROPIC_API_KEY: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('===== user prompt =====');
    for (const raw of ['\u202e', '\u001b']) expect(r.stdout + r.stderr).not.toContain(raw);
  });
});

describe('a line too long to hold', () => {
  it('is skipped with its reason by a parsing thread, whatever the range split, and the run goes on', async () => {
    const dir = await tempDir('tokentune-hugeline-');
    const data = join(dir, 'data');
    await cp(join(ROOT, 'fixtures/example'), data, { recursive: true });
    // 48 MB in one line, between two halves of the phases: parsed in ranges by two threads.
    const phases = (await readFile(join(data, 'phases.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const half = phases.length >> 1;
    const out = createWriteStream(join(data, 'phases.jsonl'));
    out.write(`${phases.slice(0, half).join('\n')}\n{"type":"phase","pad":"`);
    const block = 'q'.repeat(1 << 20);
    for (let i = 0; i < 48; i++) out.write(block);
    out.write(`"}\n${phases.slice(half).join('\n')}\n`);
    await new Promise((resolve) => out.end(resolve));
    const config = await exampleConfig(dir, 'ingest: {parallel_min_bytes: 1048576, workers: 2}\n', data);
    const r = await tune(['check', '--json', '--config', config], { XDG_STATE_HOME: dir });
    expect(r.code, r.stderr).toBe(0);
    const out1 = JSON.parse(r.stdout);
    expect(out1.skipped).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`phases\\.jsonl:${half + 1}: a line of 503316\\d\\d bytes, over the 16777216 of ingest\\.max_line_bytes: not read`));
    const clean = await tune(['check', '--json', '--config', await exampleConfig(dir)], { XDG_STATE_HOME: join(dir, 'clean') });
    expect(out1.records).toBe(JSON.parse(clean.stdout).records);
  });
});

describe('absurd counts', () => {
  it('are bad lines, named with the bound, whatever field they are in', async () => {
    const { mkdir } = await import('node:fs/promises');
    const dir = await tempDir('tokentune-counts-');
    await mkdir(join(dir, 'data'));
    const phase = (o: object) =>
      JSON.stringify({
        type: 'phase',
        ts: '2026-11-20T10:00:00Z',
        run_id: 'r',
        tier_id: 'T1',
        phase_id: `p${JSON.stringify(o).length}`,
        category: 'docs',
        complexity: 'low',
        builder_model: 'claude-sonnet-5-5',
        tokens_used: 1000,
        incident_token_cap: 200_000,
        outcome: 'success',
        builder_attempts: 1,
        auditor_attempts: 1,
        retries: 0,
        ...o,
      });
    const ci = JSON.stringify({ type: 'ci', ts: '2026-11-20T10:00:00Z', run_id: 'r', tier_id: 'T1', ci_profile: 'x', runs: 1e12, failures_caught: 0, false_positives: 0 });
    await writeFile(join(dir, 'data', 'a.jsonl'), `${phase({ retries: 1e9 })}\n${ci}\n${phase({ phase_id: 'fine' })}\n`);
    await writeFile(join(dir, 't.yaml'), 'sources: [{path: data}]\n');
    const r = await tune(['check', '--json', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: join(dir, 's') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 1, skipped: 2 });
    expect(r.stderr).toContain('a.jsonl:1: retries: 1000000000 is above the plausible 100000 (ingest.max_count)');
    expect(r.stderr).toContain('a.jsonl:2: runs: 1000000000000 is above the plausible 100000 (ingest.max_count)');
  });
});
