import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
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
});
