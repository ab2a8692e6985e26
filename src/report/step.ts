import type { WorkRecord } from '../sources/index.js';

/** One row of AutoSkillit's Token Usage Summary: a canonical step of one order. */
export interface StepRow {
  step: string;
  uncached: number;
  output: number;
  cache_read: number;
  cache_write: number;
  count: number;
  seconds: number;
}

/** The orchestrator's share of an order: the sessions that dispatched its steps, in its proportion. */
export interface OrchestratorShare {
  sessions: string[];
  /** Of the orchestrators' own tokens, the share this order's sessions make of all they dispatched. */
  share: number;
  uncached: number;
  output: number;
  cache_read: number;
  cache_write: number;
  usd: number | null;
}

/** The steps of one order from its sessions, in the order they first ran. */
export function stepRows(work: readonly WorkRecord[], order: string): StepRow[] {
  const rows = new Map<string, StepRow>();
  for (const w of [...work].filter((x) => x.unit === 'session' && x.run_id === order).sort((a, b) => a.ts - b.ts)) {
    const r = rows.get(w.agent) ?? { step: w.agent, uncached: 0, output: 0, cache_read: 0, cache_write: 0, count: 0, seconds: 0 };
    r.uncached += w.input_tokens ?? 0;
    r.output += w.output_tokens ?? 0;
    r.cache_read += w.cache_read_tokens ?? 0;
    r.cache_write += w.cache_creation_tokens ?? 0;
    r.count++;
    r.seconds += (w.duration_ms ?? 0) / 1000;
    rows.set(w.agent, r);
  }
  return [...rows.values()];
}

/** AutoSkillit's number format: 28, 5.5k, 22.8M. */
export function humanize(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** AutoSkillit's durations: 45s, 3m 12s, 1h 5m. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/**
 * The table AutoSkillit's PR hook writes (its columns and formats), with the orchestrator's share as
 * a row of its own below the total: the hook leaves it out, so the total stays the hook's.
 */
export function stepTable(rows: readonly StepRow[], orchestrator: OrchestratorShare | undefined, clean: (s: string) => string): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [
    '## Token Usage Summary',
    '',
    line(['Step', 'uncached', 'output', 'cache_read', 'cache_write', 'count', 'time']),
    '|------|----------|--------|------------|-------------|-------|------|',
  ];
  for (const r of rows) out.push(line([clean(r.step), humanize(r.uncached), humanize(r.output), humanize(r.cache_read), humanize(r.cache_write), String(r.count), duration(r.seconds)]));
  const sum = (f: (r: StepRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  out.push(
    line([
      '**Total**',
      humanize(sum((r) => r.uncached)),
      humanize(sum((r) => r.output)),
      humanize(sum((r) => r.cache_read)),
      humanize(sum((r) => r.cache_write)),
      String(sum((r) => r.count)),
      duration(sum((r) => r.seconds)),
    ]),
  );
  if (orchestrator)
    out.push(
      line([
        `orchestrator (${Math.round(orchestrator.share * 100)}% of ${orchestrator.sessions.length === 1 ? 'its session' : `${orchestrator.sessions.length} sessions`}, not in the total)`,
        humanize(orchestrator.uncached),
        humanize(orchestrator.output),
        humanize(orchestrator.cache_read),
        humanize(orchestrator.cache_write),
        '',
        '',
      ]),
    );
  return `${out.join('\n')}\n`;
}
