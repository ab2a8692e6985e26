import { appendFile, copyFile, mkdir, readFile, readdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleConfig, ROOT, tempDir, tune } from '../helpers/cli.js';

/** A private copy of the example telemetry and a config reading it, with its own state directory. */
async function setup() {
  const dir = await tempDir('tokentune-gate-');
  const data = join(dir, 'data');
  await mkdir(data);
  for (const f of ['phases.jsonl', 'calls.jsonl', 'ci.jsonl']) await copyFile(join(ROOT, 'fixtures/example', f), join(data, f));
  const config = await exampleConfig(dir, '', data);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  const run = (...args: string[]) => tune([...args, '--config', config], env);
  const stateDir = async () => {
    const base = join(dir, 'state', 'tokentune');
    return join(base, (await readdir(base))[0]!);
  };
  return { dir, data, config, env, run, stateDir };
}

const phaseLine = (o: Record<string, unknown>) =>
  JSON.stringify({ type: 'phase', ts: '2026-11-20T20:00:00Z', run_id: 'run-extra', tier_id: 'T1', phase_id: 'x', category: 'docs', complexity: 'low', builder_model: 'claude-sonnet-4-5', tokens_used: 60_000, incident_token_cap: 200_000, outcome: 'success', builder_attempts: 1, auditor_attempts: 1, retries: 0, ...o });

describe('tune check: the drift gate', () => {
  it('walks noop → no-material-drift → drift as the data moves', async () => {
    const s = await setup();
    const first = await s.run('check');
    expect(first).toMatchObject({ code: 0, stdout: 'drift: no proposal recorded yet\n' });
    expect((await s.run('check', '--exit-code')).code).toBe(0); // nothing new since: a no-op, not drift

    const tuned = await s.run();
    expect(tuned.code).toBe(0);
    expect(tuned.stdout).toContain('# Cost / Budget Tuning Report');
    expect(tuned.stderr).toContain('proposal recorded in the run state');
    const stored = (await readdir(await s.stateDir())).sort();
    // one rollups file per source file, the run index, and the state
    expect(stored).toHaveLength(5);
    expect(stored.slice(0, 3).every((f) => /^r-[0-9a-f]{12}-1\.bin$/.test(f))).toBe(true);
    expect(stored.slice(3)).toEqual(['runs-1.bin', 'state.json']);

    // nothing new: milliseconds, $0, a no-op streak
    expect((await s.run('check')).stdout).toBe('noop\n');
    const streak = JSON.parse((await s.run('check', '--json')).stdout);
    // the fast path answers with the same fields as the full one
    expect(Object.keys(streak).sort()).toEqual(['bytes', 'early_bytes', 'files', 'held', 'moved', 'noop_streak', 'records', 'result', 'rollup_records', 'skipped', 'state_dir']);
    expect(streak).toMatchObject({ result: 'noop', noop_streak: 2 });
    expect((await s.run()).stdout).toMatch(/^noop: nothing moved enough/);
    expect(JSON.parse((await s.run('--force', '--dry-run', '--json')).stdout).report).toContain('**No-op checks before this run**: 3');

    // new data that changes no decision
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 5 }, (_, i) => phaseLine({ phase_id: `ok${i}` })).join('\n') + '\n');
    const quiet = JSON.parse((await s.run('check', '--json')).stdout);
    expect(quiet).toMatchObject({ result: 'no-material-drift', records: 5, noop_streak: 0, moved: [] });
    // no rollup was written again: what was read from the file that grew is a segment of its own
    const gens = (await readdir(await s.stateDir())).filter((f) => f.startsWith('r-')).map((f) => f.replace(/^r-[0-9a-f]+-/, '')).sort();
    expect(gens).toEqual(['1.bin', '1.bin', '1.bin', '2.bin']);

    // new data that does: docs starts failing and retrying
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 40 }, (_, i) => phaseLine({ phase_id: `bad${i}`, outcome: 'failed', retries: 3, tokens_used: 190_000 })).join('\n') + '\n');
    const moved = await s.run('check', '--exit-code');
    expect(moved.code).toBe(3);
    expect(moved.stdout).toMatch(/^drift: .*model:docs/);
    const tunedAgain = await s.run('--json');
    expect(JSON.parse(tunedAgain.stdout)).toMatchObject({ status: 'proposal' });
    expect(JSON.parse(tunedAgain.stdout).report).toContain('**No-op checks before this run**: 0');
    expect((await s.run()).stdout).toMatch(/^noop/);
    expect((await s.run('--force', '--json')).stdout).toContain('"status": "proposal"');
  });

  it('a dry run reads the state and new bytes but never writes the state', async () => {
    const s = await setup();
    await s.run();
    const before = await readFile(join(await s.stateDir(), 'state.json'), 'utf8');
    await appendFile(join(s.data, 'phases.jsonl'), phaseLine({ phase_id: 'late' }) + '\n');
    const dry = await s.run('--dry-run', '--json', '--force');
    expect(JSON.parse(dry.stdout).ingest.records).toBe(1);
    expect(await readFile(join(await s.stateDir(), 'state.json'), 'utf8')).toBe(before);
    // so the next real check still sees the new line
    expect(JSON.parse((await s.run('check', '--json')).stdout)).toMatchObject({ records: 1 });
  });

  it('one run at a time: a live holder blocks, a dead one is taken over', async () => {
    const s = await setup();
    await s.run('check');
    const lock = join(await s.stateDir(), 'lock');
    const { hostname } = await import('node:os');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), command: 'tune' }));
    const blocked = await s.run();
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain(`another tokentune run holds ${lock}: "tune", pid ${process.pid} on ${hostname()}`);
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: new Date().toISOString(), command: 'tune' }));
    expect((await s.run()).code).toBe(0);
    await expect(stat(lock)).rejects.toThrow();
  });

  it('refuses a corrupt or newer state with the file and the fix, and rebuilds on request', async () => {
    const s = await setup();
    await s.run();
    const file = join(await s.stateDir(), 'state.json');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.slice(0, 40));
    const bad = await s.run('check');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}: the state file is not valid JSON`);
    expect(bad.stderr).toContain('--rebuild-state');
    await writeFile(file, JSON.stringify({ ...JSON.parse(good), noop_streak: 'many' }));
    expect((await s.run('check')).stderr).toContain('noop_streak');
    await writeFile(file, JSON.stringify({ ...JSON.parse(good), version: 9 }));
    expect((await s.run('check')).stderr).toContain('written by a newer tokentune (state format 9');
    const rebuilt = await s.run('check', '--rebuild-state', '--json');
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ result: 'drift', records: 2272 });
    expect((await s.run('check')).stdout).toBe('noop\n');
  });
});

describe('source files that move under the gate', () => {
  const lines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => phaseLine({ phase_id: `${tag}${i}`, run_id: `run-${tag}` })).join('\n') + '\n';

  it('keeps totals right through rename-rotation, copy-truncate, delete and re-create', async () => {
    const dir = await tempDir('tokentune-files-');
    const data = join(dir, 'data');
    await mkdir(data);
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const check = async () => JSON.parse((await tune(['check', '--json', '--config', config], env)).stdout);
    const { rename, truncate, unlink } = await import('node:fs/promises');

    await writeFile(join(data, 'a.jsonl'), lines('a', 10));
    expect(await check()).toMatchObject({ records: 10, rollup_records: 10 });

    // logrotate by rename: a.jsonl → a-1.jsonl, a fresh a.jsonl
    await rename(join(data, 'a.jsonl'), join(data, 'a-1.jsonl'));
    await writeFile(join(data, 'a.jsonl'), lines('b', 3));
    const rotated = await check();
    expect(rotated).toMatchObject({ records: 3, rollup_records: 13 });
    expect(rotated.files).toContain(`${join(data, 'a.jsonl')} → ${join(data, 'a-1.jsonl')}: renamed; continued at byte ${Buffer.byteLength(lines('a', 10))}`);

    // a late write to the rotated file is read, from its watermark
    await appendFile(join(data, 'a-1.jsonl'), lines('c', 2));
    expect(await check()).toMatchObject({ records: 2, rollup_records: 15 });

    // copytruncate: copy a.jsonl aside, truncate it, keep writing
    await copyFile(join(data, 'a.jsonl'), join(data, 'a-2.jsonl'));
    await truncate(join(data, 'a.jsonl'), 0);
    await appendFile(join(data, 'a.jsonl'), lines('d', 1));
    const copied = await check();
    expect(copied.rollup_records).toBe(16);
    expect(copied.files.some((f: string) => f.includes('truncated'))).toBe(true);

    // deleted: its data stays
    await unlink(join(data, 'a-1.jsonl'));
    expect(await check()).toMatchObject({ rollup_records: 16 });

    // re-created under the same name: a new file, read whole
    await writeFile(join(data, 'a-1.jsonl'), lines('e', 4));
    expect(await check()).toMatchObject({ records: 4, rollup_records: 20 });

    // a rewrite that keeps the size is noticed by the hashes before the watermark
    const b = await readFile(join(data, 'a-2.jsonl'), 'utf8');
    await writeFile(join(data, 'a-2.jsonl'), b.replaceAll('run-b', 'run-x'));
    const rewritten = await check();
    expect(rewritten.files.some((f: string) => f.includes('rewritten'))).toBe(true);
    expect(rewritten.rollup_records).toBe(20);

    // and a rebuild from scratch agrees on what is on disk now, plus the retired (deleted) data
    const onDisk = 3 + 1 + 4; // a-2, a, a-1
    const rebuilt = JSON.parse((await tune(['check', '--json', '--rebuild-state', '--config', config], env)).stdout);
    expect(rebuilt.rollup_records).toBe(onDisk);
  });
});

describe('appending to one file, run after run', () => {
  it('writes each run\'s new lines as a segment, compacts them, and proposes what a rebuild proposes', async () => {
    const s = await setup();
    await s.run('check');
    const segmentCounts: number[] = [];
    for (let i = 0; i < 9; i++) {
      const bad = Array.from({ length: 12 }, (_, k) => phaseLine({ run_id: `run-late-${i}`, phase_id: `late${i}-${k}`, outcome: k % 3 ? 'success' : 'failed', retries: k % 2, tokens_used: 40_000 + 7_000 * k }));
      await appendFile(join(s.data, 'phases.jsonl'), `${bad.join('\n')}\n`);
      expect(JSON.parse((await s.run('check', '--json')).stdout)).toMatchObject({ records: 12 });
      const state = JSON.parse(await readFile(join(await s.stateDir(), 'state.json'), 'utf8'));
      segmentCounts.push(Object.keys(state.rollup_files).filter((k: string) => k.includes('#')).length);
    }
    // One more segment a run, merged into one past four; never more than five files for one source.
    expect(segmentCounts.slice(0, 5)).toEqual([1, 2, 3, 4, 1]);
    expect(Math.max(...segmentCounts)).toBeLessThanOrEqual(5);

    const incremental = JSON.parse((await s.run('--dry-run', '--json')).stdout);
    const fresh = JSON.parse((await tune(['--dry-run', '--json', '--rebuild-state', '--config', s.config], { XDG_STATE_HOME: join(s.dir, 'fresh') })).stdout);
    expect(incremental.changes).toEqual(fresh.changes);
    expect(incremental.findings).toEqual(fresh.findings);
    expect(incremental.diffs).toEqual(fresh.diffs);
  });
});

describe('the run index', () => {
  it('adds runs that go on in a segment (one starting earlier) as a rebuild counts them, and survives a corrupt index', async () => {
    const s = await setup();
    await s.run('check');
    const dir = await s.stateDir();
    const stateOf = async () => JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    const before = await stateOf();
    expect(before.run_index).toMatchObject({ file: 'runs-1.bin', runs: expect.any(Number) });

    // run-00056 goes on (later), run-00030 gets a record from before its first one, and a new run.
    const lines = [
      phaseLine({ run_id: 'run-00056', ts: '2026-11-20T22:00:00Z', phase_id: 'g1', tokens_used: 90_000 }),
      phaseLine({ run_id: 'run-00030', ts: '2026-10-20T01:00:00Z', phase_id: 'g2', tokens_used: 70_000 }),
      phaseLine({ run_id: 'run-new', ts: '2026-11-20T21:00:00Z', phase_id: 'g3' }),
    ];
    await appendFile(join(s.data, 'phases.jsonl'), `${lines.join('\n')}\n`);
    expect(JSON.parse((await s.run('check', '--json')).stdout)).toMatchObject({ records: 3 });
    // Only a segment was written: the index still covers the settled rollups.
    expect((await stateOf()).run_index).toEqual(before.run_index);

    const fresh = async () => JSON.parse((await tune(['--dry-run', '--json', '--rebuild-state', '--config', s.config], { XDG_STATE_HOME: join(s.dir, `fresh-${Math.random()}`) })).stdout);
    const body = (r: { report: string }) => r.report.replace(/\*\*Generated\*\*: \S+/, '');
    const expected = await fresh();
    const indexed = JSON.parse((await s.run('--dry-run', '--json')).stdout);
    expect(body(indexed)).toEqual(body(expected));
    expect(indexed.changes).toEqual(expected.changes);
    expect(indexed.report).toContain('run-new');

    // A spoilt index is a cache: ignored (the tables are read), and written again by the next commit.
    await writeFile(join(dir, before.run_index.file), 'garbage');
    const spoilt = JSON.parse((await s.run('--dry-run', '--json')).stdout);
    expect(body(spoilt)).toEqual(body(expected));
    await appendFile(join(s.data, 'phases.jsonl'), `${phaseLine({ run_id: 'run-new2', ts: '2026-11-20T23:00:00Z', phase_id: 'g4' })}\n`);
    expect((await s.run('check')).code).toBe(0);
    const rebuilt = await stateOf();
    expect(rebuilt.run_index.file).not.toBe(before.run_index.file);
    expect((await readdir(dir)).filter((f) => f.startsWith('runs-'))).toEqual([rebuilt.run_index.file]);
    const again = JSON.parse((await s.run('--dry-run', '--json')).stdout);
    expect(body(again)).toEqual(body(await fresh()));
  });
});

describe('session-terminal gating', () => {
  it('holds back records newer than the quiet period and counts them once the session is quiet', async () => {
    const dir = await tempDir('tokentune-quiet-');
    const data = join(dir, 'data');
    await mkdir(data);
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}}]\ndrift: {quiet_minutes: 0.05}\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const check = async () => JSON.parse((await tune(['check', '--json', '--config', config], env)).stdout);
    const old = Array.from({ length: 5 }, (_, i) => phaseLine({ phase_id: `o${i}`, run_id: 'done' }));
    const live = Array.from({ length: 3 }, (_, i) => phaseLine({ phase_id: `l${i}`, run_id: 'live', ts: new Date(Date.now() - 500).toISOString() }));
    await writeFile(join(data, 'a.jsonl'), `${[...old, ...live].join('\n')}\n`);

    const first = await check();
    expect(first).toMatchObject({ records: 5, rollup_records: 5, held: [{ file: join(data, 'a.jsonl'), from_line: 6 }] });
    await new Promise((r) => setTimeout(r, 3500)); // the 3 s quiet period passes
    const second = await check();
    expect(second).toMatchObject({ records: 3, rollup_records: 8, held: [] });
    expect((await check()).result).toBe('noop');
  });
});

describe('state files', () => {
  it('names a missing rollups generation and how to recover', async () => {
    const s = await setup();
    await s.run();
    const dir = await s.stateDir();
    const { unlink } = await import('node:fs/promises');
    const gen = (await readdir(dir)).find((f) => f.startsWith('r-'))!;
    await unlink(join(dir, gen));
    await appendFile(join(s.data, 'phases.jsonl'), phaseLine({ phase_id: 'n' }) + '\n');
    const r = await s.run('check');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, gen)}: cannot read the rollups this state was built with`);
    expect(r.stderr).toContain('--rebuild-state');
  });
});

describe('state format migration', () => {
  it('reads a format-1 state (JSON rollups) and writes it back in the current format', async () => {
    const s = await setup();
    await s.run();
    const dir = await s.stateDir();
    const { loadState } = await import('../../src/store/state.js');
    const { encodeRollups } = await import('../../src/store/rollup-codec.js');
    const { unlink } = await import('node:fs/promises');
    const loaded = (await loadState(dir))!;
    const gen = loaded.state.rollups_generation;
    const files = Object.fromEntries([...loaded.rollups].map(([k, r]) => [k, encodeRollups(r)]));
    await writeFile(join(dir, `rollups-${gen}.json`), JSON.stringify({ format: 'tokentune-rollups', version: 1, files }));
    for (const f of await readdir(dir)) if (f.startsWith('r-')) await unlink(join(dir, f));
    const { rollup_files: _gone, ...v1 } = loaded.state;
    await writeFile(join(dir, 'state.json'), JSON.stringify({ ...v1, version: 1 }));

    await appendFile(join(s.data, 'phases.jsonl'), phaseLine({ phase_id: 'm' }) + '\n');
    const r = JSON.parse((await s.run('check', '--json')).stdout);
    expect(r).toMatchObject({ result: 'no-material-drift', records: 1, rollup_records: 2273 });
    const after = (await readdir(dir)).sort();
    expect(after.filter((f) => f.startsWith('r-')).every((f) => f.endsWith(`-${gen + 1}.bin`))).toBe(true);
    // the three rollups, the segment of the appended line, the run index, and the state
    expect(after).toHaveLength(6);
    expect(after).toContain(`runs-${gen + 1}.bin`);
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')).version).toBe(2);
  });
});

describe('check: bad input', () => {
  it('names a target file it cannot read by its config key', async () => {
    const dir = await tempDir('tokentune-badtarget-');
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${join(ROOT, 'fixtures/example')}}]\ntargets: [{path: missing.yaml, preset: seed-models}]\n`);
    const r = await tune(['check', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`targets[0].path: cannot read ${join(dir, 'missing.yaml')}`);
  });
});
