import { mkdtemp, mkdir, writeFile, appendFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catchUp } from '../../src/ingest/index.js';
import { scanLines } from '../../src/ingest/lines.js';
import { memoryState } from '../helpers/records.js';

/** Reads the sources into a fresh state in memory, as a first run would. */
async function ingestSources(sources: { path: string; format: string }[]) {
  const state = memoryState();
  state.begin();
  const { summary } = await catchUp(state, sources, { now: new Date(), quietMinutes: 0, retentionDays: 100_000, workers: 1, parallelMinBytes: 1e12, maxFutureMinutes: 60, maxTokens: 100_000_000 });
  return Object.assign(summary, { state });
}

const MIXED = new URL('../../fixtures/small/mixed.jsonl', import.meta.url).pathname;
const tmp = () => mkdtemp(join(tmpdir(), 'tokentune-ingest-'));

describe('ingest of the tokentune JSONL export', () => {
  it('keeps valid records and skips every bad line with file:line and a reason', async () => {
    const s = await ingestSources([{ path: MIXED, format: 'tokentune-jsonl' }]);
    expect(s.records).toBe(3);
    expect(s.state.totals().records).toBe(3);
    expect(s.skipped).toBe(9);
    const byLine = Object.fromEntries(s.skipped_details.map((d) => [d.line, d.reason]));
    expect(s.skipped_details.every((d) => d.file === MIXED)).toBe(true);
    expect(byLine[2]).toMatch(/tokens_used: must not be negative/);
    expect(byLine[3]).toMatch(/tokens_used: must be an integer/);
    expect(byLine[4]).toMatch(/complexity/);
    expect(byLine[5]).toMatch(/not valid JSON/);
    expect(byLine[6]).toMatch(/type must be "phase", "call" or "ci"/);
    expect(byLine[7]).toMatch(/not a JSON object/);
    expect(byLine[8]).toBeUndefined(); // a blank line is not an error
    expect(byLine[9]).toMatch(/input_tokens: must be a number/);
    expect(byLine[11]).toMatch(/ts: not an ISO 8601 timestamp/);
    expect(byLine[13]).toBe('type must be "phase", "call" or "ci"'); // not Object.prototype.constructor
    // what was kept is counted right
    const view = s.state.view(0, 100_000);
    expect(view.calls).toHaveLength(1);
    expect(view.calls[0]).toMatchObject({ calls: 1, input: 12_000, output: 3_000, cache_read: 40_000 });
    expect(view.runs.recent.find((x) => x.run_id === 'r1')).toMatchObject({ phases: 1, phase_tokens: 50_000, ci_tokens: 9_000 });
  });

  it('reads directories recursively, *.jsonl only, and handles CRLF', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'sub'));
    await copyFile(MIXED, join(dir, 'sub', 'a.jsonl'));
    await writeFile(join(dir, 'notes.txt'), 'not telemetry\n');
    const line = (run: string) => `{"type":"ci","ts":"2026-11-01T10:12:00Z","run_id":"${run}","tier_id":"T1","ci_profile":"x","runs":1,"failures_caught":0,"false_positives":0}`;
    await writeFile(join(dir, 'b.jsonl'), `${line('r2')}\r\n${line('r3')}\r\n`);
    const s = await ingestSources([{ path: dir, format: 'tokentune-jsonl' }]);
    expect(s.files).toBe(2);
    expect(s.records).toBe(5);
  });

  it('holds back a last line without its newline, and reads it once it is complete', async () => {
    const dir = await tmp();
    const file = join(dir, 'live.jsonl');
    const line = '{"type":"ci","ts":"2026-11-01T10:12:00Z","run_id":"r2","tier_id":"T1","ci_profile":"x","runs":1,"failures_caught":0,"false_positives":0}';
    const other = line.replace('"r2"', '"r3"');
    await writeFile(file, `${line}\n${other.slice(0, 40)}`);
    const first = await ingestSources([{ path: file, format: 'tokentune-jsonl' }]);
    expect(first).toMatchObject({ records: 1, skipped: 0, held_back: [{ file, bytes: 40 }] });
    await appendFile(file, `${other.slice(40)}\n`);
    const second = await ingestSources([{ path: file, format: 'tokentune-jsonl' }]);
    expect(second).toMatchObject({ records: 2, skipped: 0, held_back: [] });
  });

  it('names a missing source path', async () => {
    await expect(ingestSources([{ path: '/nonexistent/telemetry', format: 'tokentune-jsonl' }])).rejects.toThrow('source not found: /nonexistent/telemetry');
  });

  it('streams lines across chunk boundaries with byte offsets for resuming', async () => {
    const dir = await tmp();
    const file = join(dir, 'big.jsonl');
    const lines = Array.from({ length: 50_000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 97)}"}`);
    await writeFile(file, lines.join('\n') + '\n');
    const seen: number[] = [];
    const scan = await scanLines(file, (t) => {
      seen.push((JSON.parse(t) as { n: number }).n);
    });
    expect(seen).toHaveLength(50_000);
    expect(seen[49_999]).toBe(49_999);
    expect(scan.heldBackBytes).toBe(0);
    // resuming from the middle yields exactly the rest
    const half = Buffer.byteLength(lines.slice(0, 25_000).join('\n') + '\n');
    const rest: number[] = [];
    const r2 = await scanLines(
      file,
      (t) => {
        rest.push((JSON.parse(t) as { n: number }).n);
      },
      { offset: half, line: 25_001 },
    );
    expect(rest[0]).toBe(25_000);
    expect(rest).toHaveLength(25_000);
    expect(r2.endOffset).toBe(scan.endOffset);
    expect(r2.nextLine).toBe(50_001);
  });

  it('reads lines longer than its buffer, stops at a range end, and holds back a long partial line', async () => {
    const dir = await tmp();
    const file = join(dir, 'long.jsonl');
    const long = `{"n":1,"pad":"${'y'.repeat(2_500_000)}"}`;
    await writeFile(file, `${long}\n{"n":2}\r\n{"n":3}\n{"n":4,"pad":"${'z'.repeat(1_200_000)}`);
    const seen: string[] = [];
    const scan = await scanLines(file, (t) => void seen.push(t));
    expect(seen.map((t) => (JSON.parse(t) as { n: number }).n)).toEqual([1, 2, 3]);
    expect(seen[0]).toBe(long);
    expect(scan).toMatchObject({ nextLine: 4, endOffset: Buffer.byteLength(`${long}\n{"n":2}\r\n{"n":3}\n`), heldBackBytes: 1_200_000 + 14 });
    // a range that ends at the start of line 3 delivers lines 1 and 2 only
    const upTo = Buffer.byteLength(`${long}\n{"n":2}\r\n`);
    const part: string[] = [];
    const ranged = await scanLines(file, (t) => void part.push(t), { offset: 0, line: 1, end: upTo });
    expect(part).toHaveLength(2);
    expect(ranged).toMatchObject({ endOffset: upTo, nextLine: 3, heldBackBytes: 0, bytesRead: upTo });
  });
});

describe('a line over ingest.max_line_bytes', () => {
  it('is skipped with its number and length, never grown into a buffer, and the lines around it read', async () => {
    const dir = await tmp();
    const file = join(dir, 'huge.jsonl');
    // Over the bound in one chunk, across several chunks, with CRLF, and a last one still being written.
    const small = '{"n":1}';
    const within = `{"n":2,"pad":"${'w'.repeat(1_400_000)}"}`;
    const over = `{"n":3,"pad":"${'x'.repeat(3_300_000)}"}`;
    const short = `{"n":4,"pad":"${'s'.repeat(2_000)}"}`;
    await writeFile(file, `${small}\n${within}\n${over}\r\n${short}\n{"n":5}\n{"n":6,"pad":"${'z'.repeat(2_000_000)}`);
    const seen: number[] = [];
    const tooLong: [number, number][] = [];
    const scan = scanLines(file, (t) => void seen.push((JSON.parse(t) as { n: number }).n), {
      offset: 0,
      line: 1,
      maxLineBytes: 1_500_000,
      onTooLong: (line, bytes) => void tooLong.push([line, bytes]),
    });
    expect(seen).toEqual([1, 2, 4, 5]);
    expect(tooLong).toEqual([[3, over.length]]);
    expect(scan).toMatchObject({ nextLine: 6, heldBackBytes: 2_000_000 + 14 });
    expect(scan.endOffset).toBe(Buffer.byteLength(`${small}\n${within}\n${over}\r\n${short}\n{"n":5}\n`));
    // A bound below the chunk size applies to lines found whole in one read.
    const tiny: [number, number][] = [];
    const again = scanLines(file, () => {}, { offset: 0, line: 1, maxLineBytes: 1_000, onTooLong: (line, bytes) => void tiny.push([line, bytes]) });
    expect(tiny.map(([l]) => l)).toEqual([2, 3, 4]);
    expect(again.nextLine).toBe(6);
  });

  it('counts as a skipped line with the reason, in the ingest summary', async () => {
    const dir = await tmp();
    const file = join(dir, 'export.jsonl');
    const first = JSON.stringify({
      type: 'phase',
      ts: '2026-11-20T10:00:00Z',
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
    const huge = `{"type":"phase","pad":"${'p'.repeat(3_000_000)}"}`;
    await writeFile(file, `${first}\n${huge}\n`);
    const state = memoryState();
    state.begin();
    const { summary } = await catchUp(state, [{ path: file, format: 'tokentune-jsonl' }], {
      now: new Date(),
      quietMinutes: 0,
      retentionDays: 100_000,
      workers: 1,
      parallelMinBytes: 1e12,
      maxFutureMinutes: 60,
      maxTokens: 100_000_000,
      maxLineBytes: 2_000_000,
    });
    expect(summary.records).toBe(1);
    expect(summary.skipped).toBe(1);
    expect(summary.skipped_details[0]).toMatchObject({ line: 2, reason: `a line of ${huge.length} bytes, over the 2000000 of ingest.max_line_bytes: not read` });
  });
});

describe('inputs that lie', () => {
  const ci = (o: Record<string, unknown>) =>
    JSON.stringify({ type: 'ci', ts: '2026-11-01T10:12:00Z', run_id: 'r', tier_id: 'T1', ci_profile: 'x', runs: 1, failures_caught: 0, false_positives: 0, ...o });

  it('skips a record from the future (never a hold), a time without a zone, an impossible token count and invalid UTF-8; accepts a BOM', async () => {
    const dir = await tmp();
    const file = join(dir, 'lies.jsonl');
    const future = new Date(Date.now() + 3 * 3600_000).toISOString();
    const soon = new Date(Date.now() + 10 * 60_000).toISOString();
    const lines = [
      `\ufeff${ci({ run_id: 'bom' })}`,
      ci({ run_id: 'future', ts: future }),
      ci({ run_id: 'no-zone', ts: '2026-11-01T10:12:00' }),
      ci({ run_id: 'huge', tokens_equivalent: 5_000_000_000 }),
      ci({ run_id: 'after' }),
    ];
    const bad = Buffer.from(`${ci({ run_id: 'caf\u00e9' })}\n`);
    bad[bad.indexOf(0xc3)] = 0xff; // no longer UTF-8
    await writeFile(file, Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), bad, Buffer.from(`${ci({ run_id: 'soon', ts: soon })}\n`)]));
    const s = await ingestSources([{ path: file, format: 'tokentune-jsonl' }]);
    const reasons = Object.fromEntries(s.skipped_details.map((d) => [d.line, d.reason]));
    expect(reasons[2]).toMatch(/^ts .* is more than 60 min in the future$/);
    expect(reasons[3]).toBe('ts: not an ISO 8601 timestamp with a time zone');
    expect(reasons[4]).toBe('tokens_equivalent: 5000000000 is above the plausible 100000000 (ingest.max_tokens)');
    expect(reasons[6]).toBe('not valid UTF-8');
    // the BOM line and the one after the future record are read; one within the skew is a session
    // still running: held, not skipped
    expect(s).toMatchObject({ records: 2, skipped: 4, quiet_held: [{ file, from_line: 7 }] });
  });
});

describe('retention', () => {
  const phaseLine = (day: string, id: string) =>
    `{"type":"phase","ts":"${day}T10:00:00Z","run_id":"r-${id}","tier_id":"T1","phase_id":"${id}","category":"docs","complexity":"low","builder_model":"claude-sonnet-5-5","tokens_used":1000,"incident_token_cap":100000,"outcome":"success","builder_attempts":1,"auditor_attempts":1,"retries":0}`;
  const read = (state: ReturnType<typeof memoryState>, path: string, now: Date) =>
    catchUp(state, [{ path, format: 'tokentune-jsonl' }], { now, quietMinutes: 0, retentionDays: 120, workers: 1, parallelMinBytes: 1e12, maxFutureMinutes: 60, maxTokens: 100_000_000 });

  it('counts back from the newest record, keeps every rollup, and skips, with the date, what it can no longer dedupe', async () => {
    const dir = await tmp();
    const file = join(dir, 'a.jsonl');
    // May to November 2026, read with the clock a year ahead.
    const days = ['2026-05-02', '2026-06-15', '2026-08-01', '2026-11-20'];
    await writeFile(file, `${days.map((d, i) => phaseLine(d, `p${i}`)).join('\n')}\n`);
    const state = memoryState();
    state.begin();
    const first = await read(state, file, new Date('2027-12-05T00:00:00Z'));
    expect(first.summary.records).toBe(4);
    // Every day's rollup is there: the window, the reports and the runs see May as they see November.
    expect(
      state
        .view(0, 100_000)
        .phases.map((b) => new Date(b.day * 86_400_000).toISOString().slice(0, 10))
        .sort(),
    ).toEqual(days);
    expect(state.view(0, 100_000).runs.count).toBe(4);
    // Dedupe keys go 120 days before the newest record (2026-07-23), not 120 days before the clock.
    expect(new Date(state.prunedBefore * 86_400_000).toISOString().slice(0, 10)).toBe('2026-07-23');
    // A record of a pruned day arriving later is skipped, said with its date and why; a newer one counts.
    await appendFile(file, `${phaseLine('2026-05-02', 'late')}\n${phaseLine('2026-11-21', 'new')}\n`);
    const second = await read(state, file, new Date('2027-12-06T00:00:00Z'));
    expect(second.summary.records).toBe(1);
    expect(second.summary.skipped_details).toEqual([
      expect.objectContaining({ line: 5, reason: expect.stringMatching(/^ts 2026-05-02T10:00:00.000Z is before 2026-07-23, whose dedupe keys retention pruned/) }),
    ]);
    expect(state.view(0, 100_000).phases.reduce((a, b) => a + b.phases, 0)).toBe(5);
  });
});
