import Database from 'better-sqlite3';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The one state directory under an XDG_STATE_HOME. */
export async function stateDirIn(xdg: string): Promise<string> {
  const base = join(xdg, 'tokentune');
  return join(base, (await readdir(base))[0]!);
}

/** The totals a state stands for, independent of how it was built: read from its database, read-only. */
export async function stateTotals(xdg: string) {
  const db = new Database(join(await stateDirIn(xdg), 'state.db'), { readonly: true });
  try {
    const records = db.prepare('SELECT sum(records) FROM units').pluck().get() as number;
    const byCategory: Record<string, [number, number, number]> = {};
    for (const r of db.prepare('SELECT category, sum(phases) AS n, sum(tokens_sum) AS t, sum(length(tokens)) / 8 AS v FROM phase_days GROUP BY category').all() as {
      category: string;
      n: number;
      t: number;
      v: number;
    }[]) {
      byCategory[r.category] = [r.n, r.t, r.v];
    }
    const runs = db.prepare('SELECT count(DISTINCT run_id) FROM runs').pluck().get() as number;
    const ci = db.prepare('SELECT coalesce(sum(ci_runs), 0) FROM tier_days').pluck().get() as number;
    return { records, byCategory, runs, ci };
  } finally {
    db.close();
  }
}
