import { writeFile } from 'node:fs/promises';
import { runTune } from '../../src/run/index.js';
import type { Change } from '../../src/targets/change.js';

/** What a replay keeps of its weeks: each key's moves in order, and a line per change and outcome. */
export interface ReplayLog {
  moves: Map<string, string[]>;
  lines: string[];
}

export const newReplayLog = (): ReplayLog => ({ moves: new Map(), lines: [] });

/**
 * One week of the build-lead's loop: a real tuning run at `now`, and its proposal merged as it stands
 * (the edited target files written). Each change is logged under `keyOf(change)`.
 */
export async function tuneAndMerge(o: { config: string; now: Date; xdg: string; week: number; keyOf: (c: Change) => string; log: ReplayLog }): Promise<void> {
  const r = await runTune({ configPath: o.config, dryRun: false, now: o.now, env: { XDG_STATE_HOME: o.xdg } });
  if (r.status === 'proposal') {
    for (const f of r.files) await writeFile(f.path, f.after);
    for (const c of r.changes) {
      const key = o.keyOf(c);
      o.log.moves.set(key, [...(o.log.moves.get(key) ?? []), c.direction]);
      o.log.lines.push(`week ${o.week}: ${key} ${c.from} → ${c.to}`);
    }
  } else o.log.lines.push(`week ${o.week}: ${r.status}`);
  for (const out of r.outcomes) o.log.lines.push(`  outcome ${out.summary}`);
}
