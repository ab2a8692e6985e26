import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeKey, type Change } from '../../src/targets/change.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

/**
 * Every bundled example's proposal is read as a build-lead reads it: its parts sum to their totals,
 * and each fact has one figure wherever it appears.
 */
const EXAMPLES = ['config/tuner.example.yaml', 'config/autopack.example.yaml', 'config/myco.example.yaml'];

/** "1.43M" → 1_430_000, "945K" → 945_000, "12" → 12. */
const tokens = (s: string): number => {
  const m = /^([\d.]+)([KM]?)$/.exec(s.trim());
  if (!m) throw new Error(`not a token figure: ${s}`);
  return Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'K' ? 1e3 : 1);
};
const usd = (s: string): number => Number(s.replace(/[$,]/g, '').replace('−', '-'));

describe.each(EXAMPLES)('the bundled example %s', (example) => {
  it('adds up: parts to totals, one figure per fact', async () => {
    const dir = await tempDir('tokentune-invariants-');
    const r = await tune(['--dry-run', '--json', '--config', join(ROOT, example)], { XDG_STATE_HOME: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { changes: Change[]; report: string };
    const lines = out.report.split('\n');
    let checked = 0;

    // One entry per key.
    const keys = out.changes.map(changeKey);
    expect(new Set(keys).size, keys.join('\n')).toBe(keys.length);

    // The per-run breakdown's shares add up to the total.
    const shares = lines.filter((l) => /^- (Builder|Auditor|Auxiliary agents|Builder and auditor)[^:]*: [\d.]+[KM]? tokens \(\d+%\)/.test(l));
    if (shares.length) {
      const total = tokens(/^- Total: ([\d.]+[KM]?) tokens/m.exec(out.report)![1]!);
      const parts = shares.map((l) => tokens(/: ([\d.]+[KM]?) tokens/.exec(l)![1]!));
      expect(Math.abs(parts.reduce((a, b) => a + b, 0) - total) / total, shares.join('\n')).toBeLessThan(0.02);
      checked++;
    }

    // Each run of the trend: builder, auditor and auxiliary make its total.
    const trendAt = lines.findIndex((l) => l.startsWith('| Run | Started | Total tokens |'));
    if (trendAt !== -1) {
      for (const row of lines.slice(trendAt + 2).filter((l) => l.startsWith('| '))) {
        // | run | started | total | builder | auditor | auxiliary | failures |
        const cells = row
          .split('|')
          .map((c) => c.trim())
          .filter(Boolean);
        if (cells[3] === '—') continue;
        const sum = tokens(cells[3]!) + tokens(cells[4]!) + tokens(cells[5]!);
        expect(Math.abs(sum - tokens(cells[2]!)) / tokens(cells[2]!), row).toBeLessThan(0.02);
        checked++;
      }
    }

    // One headline: the summary's move of the average run is the projection's.
    const summary = /move the average run from (\$[\d.,]+) to (\$[\d.,]+) \(([−+]?[\d.]+%)\)/.exec(out.report);
    const projected = /\*\*Projected\*\*: .*?, (\$[\d.,]+) per run \(([−+]?[\d.]+%)\)/.exec(out.report);
    if (summary && projected) {
      expect(summary[2]).toBe(projected[1]);
      expect(summary[3]).toBe(projected[2]);
      checked++;
    }

    // A task's no-op cost per day is the same figure in the table and in its cadence change.
    const tableAt = lines.findIndex((l) => l.includes('No-op cost per day'));
    for (const c of out.changes.filter((x) => x.kind === 'schedule')) {
      const row = lines.slice(tableAt).find((l) => l.startsWith(`| ${c.category} |`))!;
      const perDay = usd(row.split('|').map((x) => x.trim())[7]!);
      expect(perDay, row).toBeCloseTo(Number(c.evidence.noop_cost_usd_per_day), 2);
      checked++;
    }

    // Each migrated key has one row.
    const rows = lines.filter((l) => /^\| \S+ \| [^|]+ \| \S+ → \S+ \|/.test(l)).map((l) => l.split('|')[1]!.trim());
    expect(new Set(rows).size).toBe(rows.length);
    // Each example is held to at least its breakdown (or its tasks' cadence) and its headline.
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});
