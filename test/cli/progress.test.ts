import { execFileSync, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/commands/progress.js';
import { ROOT, TUNE, tempDir, tune } from '../helpers/cli.js';

/** A stream that says it is (or is not) a terminal and keeps what is written to it. */
function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, write: (t: string) => out.push(t) > 0 } as unknown as NodeJS.WriteStream };
}

describe('progress of a long read', () => {
  it('shows bytes, records, rate and time left on a terminal, and clears the line when done', () => {
    const { out, s } = stream(true);
    // A clock of the test's own: four seconds in, however long the machine takes to get here.
    const started = 1_000_000;
    const p = progressLine(s, true, () => started + 4000);
    p.onProgress!({ bytes: 100e6, total_bytes: 400e6, records: 200_000, started_ms: started });
    p.done();
    expect(out[0]).toBe('\r\x1b[2Ktune: reading 100 MB of 400 MB (25%), 200,000 records (50,000/s), 25 MB/s, about 12 s left');
    expect(out.at(-1)).toBe('\r\x1b[2K');
  });
  it('says nothing in the first second, nor when stderr is not a terminal, nor when quiet', () => {
    const early = stream(true);
    progressLine(early.s, true, () => 1_000_500).onProgress!({ bytes: 1, total_bytes: 2, records: 1, started_ms: 1_000_000 });
    expect(early.out).toEqual([]);
    const piped = stream(false);
    const p = progressLine(piped.s);
    expect(p.onProgress).toBeUndefined();
    p.done();
    expect(piped.out).toEqual([]);
    expect(progressLine(stream(true).s, false).onProgress).toBeUndefined();
  });

  it('runs as a whole: a progress line on a terminal, none under cron', async () => {
    const dir = await tempDir('tokentune-progress-');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-myco.mjs'), '--out', dir, '--days', '60', '--scale', '4'], { stdio: 'ignore' });
    const config = join(dir, 't.yaml');
    await writeFile(config, 'sources: [{path: myco.db, format: myco-db}]\n');
    // Piped, as cron runs it: stderr holds the skipped row and nothing else.
    const piped = await tune(['check', '--config', config], { XDG_STATE_HOME: join(dir, 'piped') });
    expect(piped.stderr).not.toContain('reading');
    // On a terminal (util-linux `script` gives the run one).
    const cmd = `${process.execPath} ${TUNE} check --config ${config}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, XDG_STATE_HOME: join(dir, 'tty') }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).toMatch(/\r\x1b\[2Ktune: reading [\d,]+ records \([\d,]+\/s\)/);
    expect(r.stdout).toContain('drift: no proposal recorded yet');
  });
});

describe('--quiet and --verbose', () => {
  const MYCO = join(ROOT, 'config/myco.example.yaml');
  it('--quiet leaves stderr to errors; --verbose adds what happened to each source; the two exclude each other', async () => {
    const dir = await tempDir('tokentune-voice-');
    const normal = await tune(['--dry-run', '--config', MYCO], { XDG_STATE_HOME: join(dir, 'a') });
    expect(normal.stderr).toContain('skipped');
    expect(normal.stderr).toContain('dry run, nothing written');
    const quiet = await tune(['--dry-run', '--quiet', '--config', MYCO], { XDG_STATE_HOME: join(dir, 'b') });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain('# Cost / Budget Tuning Report');
    const verbose = await tune(['check', '--verbose', '--config', MYCO], { XDG_STATE_HOME: join(dir, 'c') });
    expect(verbose.stderr).toMatch(/tune: .*myco\.db: new database/);
    const both = await tune(['check', '--quiet', '--verbose', '--config', MYCO], { XDG_STATE_HOME: join(dir, 'd') });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '-q, --quiet' cannot be used with option '--verbose'");
    const report = await tune(['report', 'daily', '--quiet', '--config', MYCO], { XDG_STATE_HOME: join(dir, 'e') });
    expect(report.code).toBe(0);
    expect(report.stderr).toBe('');
  });
});
