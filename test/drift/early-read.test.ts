import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startEarlyRead } from '../../src/telemetry/early-read.js';
import { ingestFiles, type FileToRead } from '../../src/telemetry/ingest.js';
import { runSummaries } from '../../src/store/sealed-runs.js';
import type { Rollups } from '../../src/store/rollup.js';
import { exampleConfig, ROOT, tempDir, tune } from '../helpers/cli.js';

const exec = promisify(execFile);
// The worker bin/tune starts: the CommonJS one that runs the parsing code from its code cache.
const WORKER = join(ROOT, 'dist/cli/early-worker.cjs');

const phaseLine = (i: number, ts: string) =>
  JSON.stringify({ type: 'phase', ts, run_id: `run-early-${Math.floor(i / 8)}`, tier_id: 'T1', phase_id: `e${i}`, category: i % 3 ? 'docs' : 'tests', complexity: 'low', builder_model: 'claude-sonnet-4-5', tokens_used: 20_000 + 37 * i, incident_token_cap: 200_000, outcome: i % 5 ? 'success' : 'failed', builder_attempts: 1, auditor_attempts: 1, retries: i % 2 });

/** Over 256 KiB of phase lines (EARLY_MIN_BYTES), the last few from a session still running. */
function appended(): string {
  const lines = Array.from({ length: 1400 }, (_, i) => phaseLine(i, new Date(Date.parse('2026-11-20T10:00:00Z') + i * 1000).toISOString()));
  for (let i = 0; i < 3; i++) lines.push(phaseLine(2000 + i, new Date(Date.now() - 1000).toISOString()));
  return `${lines.join('\n')}\n`;
}

/** Everything a rollup holds, as plain data. */
function digest(r: Rollups): unknown {
  return {
    records: r.records,
    max_ts: r.max_ts,
    phases: [...r.phases.values()].map((b) => ({ ...b, tokens: Array.from(b.tokens).sort((x, y) => x - y) })),
    calls: [...r.calls.values()],
    tiers: [...r.tiers.values()],
    runs: runSummaries(r),
  };
}

describe('early read: appended bytes parsed by a worker while the commands load', () => {
  it('gives `tune check` the report and state the full path alone gives', async () => {
    const dir = await tempDir('tokentune-early-');
    const data = join(dir, 'data');
    await mkdir(data);
    for (const f of ['phases.jsonl', 'calls.jsonl', 'ci.jsonl']) await copyFile(join(ROOT, 'fixtures/example', f), join(data, f));
    const config = await exampleConfig(dir, '', data);
    // Written long enough ago that its stat() may be trusted (see RACY_MS).
    const past = new Date(Date.now() - 3600_000);
    utimesSync(config, past, past);
    const early = { XDG_STATE_HOME: join(dir, 'early') };
    expect((await tune(['check', '--config', config], early)).code).toBe(0);
    expect((await tune(['check', '--config', config], early)).stdout).toBe('noop\n');
    cpSync(join(dir, 'early'), join(dir, 'plain'), { recursive: true });
    const plain = { XDG_STATE_HOME: join(dir, 'plain') };

    appendFileSync(join(data, 'phases.jsonl'), appended());
    const a = JSON.parse((await tune(['check', '--json', '--config', config], early)).stdout);
    // node dist/cli/main.js: the commands without the launcher's start-up file, so nothing read early.
    const b = JSON.parse((await exec(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'check', '--json', '--config', config], { env: { ...process.env, ...plain } })).stdout);
    expect(a.early_bytes).toBeGreaterThan(256 * 1024);
    expect(b.early_bytes).toBe(0);
    expect(a.records).toBe(1400);
    expect(a.held).toEqual([{ file: join(data, 'phases.jsonl'), from_line: expect.any(Number) }]);
    const { early_bytes: _a, state_dir: _da, ...restA } = a;
    const { early_bytes: _b, state_dir: _db, ...restB } = b;
    expect(restA).toEqual(restB);

    const dryA = JSON.parse((await tune(['--dry-run', '--json', '--config', config], early)).stdout);
    const dryB = JSON.parse((await tune(['--dry-run', '--json', '--config', config], plain)).stdout);
    const body = (report: string) => report.replace(/\*\*Generated\*\*: \S+/, '');
    expect(body(dryA.report)).toEqual(body(dryB.report));
    expect(dryA.changes).toEqual(dryB.changes);
    expect(dryA.findings).toEqual(dryB.findings);
  });

  it('is taken only for the exact range the run reads; otherwise the run parses it itself', async () => {
    const dir = await tempDir('tokentune-early-unit-');
    const file = join(dir, 'a.jsonl');
    writeFileSync(file, appended());
    const size = statSync(file).size;
    const quietAfter = Date.now() - 15 * 60_000;
    const files: FileToRead[] = [{ file, format: 'tokentune-jsonl', size, start: 0, line: 1 }];
    const range = { file, format: 'tokentune-jsonl' as const, start: 0, line: 1, end: undefined, quietAfter };

    const alone = await ingestFiles(files, { quietAfter });
    expect(alone.summary.early_bytes).toBe(0);
    const expected = { rollup: digest(alone.reads.get(file)!.rollup), summary: { ...alone.summary } };

    const cases = [
      { name: 'exact', ranges: [range], taken: true },
      { name: 'other start', ranges: [{ ...range, start: 10 }], taken: false },
      { name: 'other quiet cut-off', ranges: [{ ...range, quietAfter: quietAfter - 1 }], taken: false },
    ];
    for (const c of cases) {
      const early = await startEarlyRead(c.ranges, WORKER);
      const got = await ingestFiles(files, { quietAfter, early });
      expect(got.summary.early_bytes, c.name).toBe(c.taken ? alone.summary.bytes : 0);
      expect(digest(got.reads.get(file)!.rollup), c.name).toEqual(expected.rollup);
      expect({ ...got.summary, early_bytes: 0 }, c.name).toEqual(expected.summary);
    }
    // A worker that cannot start: the run parses the range itself.
    const broken = await startEarlyRead([range], join(dir, 'no-such-worker.js'));
    const got = await ingestFiles(files, { quietAfter, early: broken });
    expect(got.summary.early_bytes).toBe(0);
    expect(digest(got.reads.get(file)!.rollup)).toEqual(expected.rollup);
    expect(readdirSync(dir)).toEqual(['a.jsonl']);
  });
});
