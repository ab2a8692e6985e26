import { copyFile, mkdir, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tune } from '../helpers/cli.js';

/** Phase records as the tokentune-json format holds them, one per run id. */
const doc = (runs: string[], tokens = 50_000) => ({
  records: runs.map((run_id, i) => ({
    type: 'phase',
    ts: `2026-11-20T0${i % 10}:00:00Z`,
    run_id,
    tier_id: 'T1',
    phase_id: 'p1',
    category: 'docs',
    complexity: 'low',
    builder_model: 'claude-sonnet-4-5',
    tokens_used: tokens,
    incident_token_cap: 200_000,
    outcome: 'success',
    builder_attempts: 1,
    auditor_attempts: 1,
    retries: 0,
  })),
});

describe('a whole-file source (tokentune-json): the file lifecycle', () => {
  it('replaces what a rewritten file held, ignores a touch, and keeps totals through rename, copy and delete', async () => {
    const dir = await tempDir('tokentune-whole-');
    const data = join(dir, 'data');
    await mkdir(data);
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}, format: tokentune-json}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const check = async () => {
      const r = await tune(['check', '--json', '--config', config], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const tracker = join(data, 'usage.json');

    await writeFile(tracker, JSON.stringify(doc(['a', 'b', 'c'])));
    expect(await check()).toMatchObject({ records: 3, rollup_records: 3 });

    // rewritten in place: what it held is replaced, not added to
    await writeFile(tracker, JSON.stringify(doc(['a', 'b', 'c', 'd'], 60_000), null, 2));
    const rewritten = await check();
    expect(rewritten).toMatchObject({ records: 4, rollup_records: 4 });
    expect(rewritten.files).toContain(`${tracker}: changed; read again whole, replacing what it held`);

    // touched, not changed: nothing is read again
    const later = new Date(Date.now() + 5_000);
    await utimes(tracker, later, later);
    expect(await check()).toMatchObject({ records: 0, rollup_records: 4 });

    // a copy holds the same records: they count once
    await copyFile(tracker, join(data, 'backup.json'));
    expect(await check()).toMatchObject({ records: 0, duplicates: 4, rollup_records: 4 });

    // renamed: the old path is gone (its data stays), the new one holds the same records, once
    await rename(tracker, join(data, 'usage-1.json'));
    expect(await check()).toMatchObject({ records: 0, rollup_records: 4 });

    // deleted: its data stays
    await unlink(join(data, 'backup.json'));
    expect(await check()).toMatchObject({ rollup_records: 4 });

    // a bad entry is skipped with where and why; the rest is read
    await writeFile(join(data, 'other.json'), JSON.stringify({ records: [...doc(['e']).records, { type: 'phase', tokens_used: -1 }] }));
    const bad = await check();
    expect(bad).toMatchObject({ records: 1, skipped: 1, rollup_records: 5 });
    const shown = await tune(['check', '--config', config], env);
    expect(shown.code).toBe(0);

    // a rebuild agrees on what is on disk now: usage-1.json (4) and other.json (1)
    const rebuilt = JSON.parse((await tune(['check', '--json', '--rebuild-state', '--config', config], env)).stdout);
    expect(rebuilt.rollup_records).toBe(5);
  });

  it('names a document that is not JSON by file, and reads the other files', async () => {
    const dir = await tempDir('tokentune-whole-bad-');
    const data = join(dir, 'data');
    await mkdir(data);
    await writeFile(join(data, 'good.json'), JSON.stringify(doc(['a'])));
    await writeFile(join(data, 'bad.json'), '{"records": [');
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}, format: tokentune-json}]\n`);
    const r = await tune(['check', '--json', '--config', config]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 1, skipped: 1 });
    expect(r.stderr).toContain(`tune: skipped ${join(data, 'bad.json')}:1: not valid JSON`);
  });
});
