import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

interface Truth {
  days: Record<string, Record<string, { requests: number; input: number; output: number; cache_read: number; cache_creation: number; cost: number }>>;
}

describe("the OpenTelemetry Collector's file export", () => {
  it("counts each request once: Claude Code's api_request events and other agents' GenAI spans, not the spans and metrics that repeat them", async () => {
    const dir = await tempDir('tokentune-otel-');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-otel.mjs'), '--out', join(dir, 'data'), '--seed', '4'], { stdio: 'ignore' });
    const truth = JSON.parse(await readFile(join(dir, 'data/truth.json'), 'utf8')) as Truth;
    await writeFile(join(dir, 't.yaml'), `sources: [{format: otel-file, path: data/otel-export.jsonl}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const r = await tune(['report', 'daily', '--json', '--timezone', 'UTC', '--mode', 'display', '--config', join(dir, 't.yaml')], env);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { daily: { date: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number; totalCost: number }[] };
    for (const [day, models] of Object.entries(truth.days)) {
      const row = j.daily.find((d) => d.date === day)!;
      const sum = (f: (m: Truth['days'][string][string]) => number) => Object.values(models).reduce((a, m) => a + f(m), 0);
      expect([row.inputTokens, row.outputTokens, row.cacheReadTokens, row.cacheCreationTokens], day).toEqual([
        sum((m) => m.input),
        sum((m) => m.output),
        sum((m) => m.cache_read),
        sum((m) => m.cache_creation),
      ]);
      // --mode display: the cost Claude Code reported, none for the spans.
      expect(row.totalCost).toBeCloseTo(
        sum((m) => m.cost),
        6,
      );
    }
    expect(j.daily).toHaveLength(Object.keys(truth.days).length);
  });

  it('says which sessions its Claude Code events share with the transcripts also read, with their days', async () => {
    const dir = await tempDir('tokentune-otel-twice-');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-otel.mjs'), '--out', join(dir, 'data'), '--seed', '4'], { stdio: 'ignore' });
    // The export's session s-3, and a session the export does not have, in the transcripts.
    const export_ = await readFile(join(dir, 'data/otel-export.jsonl'), 'utf8');
    const at = /"session\.id","value":\{"stringValue":"s-3"\}/.exec(export_);
    expect(at).not.toBeNull();
    await mkdir(join(dir, 'projects/app'), { recursive: true });
    const response = (session: string, id: string) =>
      `${JSON.stringify({ type: 'assistant', sessionId: session, timestamp: '2026-11-27T15:30:00.000Z', requestId: `q-${id}`, message: { id, model: 'claude-sonnet-5-5', usage: { input_tokens: 5, output_tokens: 7 } } })}\n`;
    await writeFile(join(dir, 'projects/app/s-3.jsonl'), response('s-3', 'm-1'));
    await writeFile(join(dir, 'projects/app/other.jsonl'), response('other', 'm-2'));
    await writeFile(join(dir, 't.yaml'), `sources: [{format: otel-file, path: data/otel-export.jsonl}, {format: claude-code, path: projects}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const check = await tune(['check', '--json', '--config', join(dir, 't.yaml')], env);
    expect(check.code, check.stderr).toBe(0);
    const twice = (JSON.parse(check.stdout) as { counted_twice: { sessions: number; first_day: string }[] }).counted_twice;
    expect(twice).toEqual([{ formats: ['claude-code', 'otel-file'], sessions: 1, first_day: expect.stringMatching(/^2026-\d\d-\d\d$/), last_day: expect.stringMatching(/^2026-/) }]);
    expect(check.stderr).toMatch(/tune: 1 session of 2026-\d\d-\d\d … 2026-\d\d-\d\d is read from both claude-code and otel-file: their requests count twice/);
    // The weekly report says it among its caveats.
    await cp(join(ROOT, 'config/example-target'), join(dir, 'target'), { recursive: true });
    await writeFile(join(dir, 'tune.yaml'), `${await readFile(join(dir, 't.yaml'), 'utf8')}targets: [{path: target/models.yaml, preset: seed-models}]\n`);
    const dry = await tune(['--dry-run', '--config', join(dir, 'tune.yaml')], { XDG_STATE_HOME: join(dir, 'state-dry') });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/- 1 session of 2026-\d\d-\d\d … 2026-\d\d-\d\d is read from both claude-code and otel-file: their requests count twice in the spend above/);
    // Read through one of them, nothing is said.
    await writeFile(join(dir, 'one.yaml'), `sources: [{format: otel-file, path: data/otel-export.jsonl}]\n`);
    const one = await tune(['check', '--json', '--config', join(dir, 'one.yaml')], { XDG_STATE_HOME: join(dir, 'state-one') });
    expect(JSON.parse(one.stdout)).not.toHaveProperty('counted_twice');
  });
});
