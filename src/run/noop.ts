import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inputStatOf, sameStats } from '../drift/file-stats.js';
import { listUnits, type SourceFiles } from '../ingest/list.js';
import { SCHEMA_VERSION, STATE_FILE } from '../store/db.js';
import { stateDir } from '../store/paths.js';
import { addRun, ledgerEntry } from '../store/run-ledger.js';
import type { CheckReport } from './check.js';

/**
 * Level 1 of the gate for `tune check`, the whole of most nightly runs, with no config parsing and no
 * schema library: when the tuner config, every target and every source unit have the stat() recorded
 * at the last run, nothing changed, and the run ends here. Anything else — no state at the default
 * place (a first run, or a configured `state.dir`), a file touched, a unit new, gone or grown, a
 * state this code does not expect, the lock held — returns undefined, and the full path decides
 * (and reports errors). It never answers differently from the full path, only sooner.
 */

interface Recorded {
  sources: SourceFiles[];
  targets: Record<string, string>;
  units: Record<string, string>;
  inputs?: Record<string, number[]>;
}

export function quickNoop(configPath: string, env: NodeJS.ProcessEnv): CheckReport | undefined {
  const started = new Date();
  const config = resolve(configPath);
  const dir = stateDir(config, undefined, env);
  const file = join(dir, STATE_FILE);
  // No state yet, a journal a stopped run left, or damage found before: the full path decides.
  if (!existsSync(file) || existsSync(`${file}-journal`) || existsSync(`${file}-damaged`)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 0, fileMustExist: true });
    if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) return undefined;
    const meta = (key: string) => {
      const v = db!.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
      return v === undefined ? undefined : (JSON.parse(v) as unknown);
    };
    // A budget alert the webhook has not taken yet is posted by a run that reads the config.
    if (db.prepare('SELECT 1 FROM budget_alerts WHERE delivered = 0 LIMIT 1').get()) return undefined;
    const fp = meta('fingerprint') as Recorded | undefined;
    const streak = meta('noop_streak');
    if (!fp?.inputs || !Array.isArray(fp.sources) || typeof streak !== 'number') return undefined;
    // Only stats recorded when the file was hashed, and not racily, stand for its content.
    for (const path of [config, ...Object.keys(fp.targets)]) {
      const now = inputStatOf(path);
      const then = fp.inputs[path];
      if (!now || !then || !sameStats({ x: now }, { x: then })) return undefined;
    }
    const units = listUnits(fp.sources);
    if (units.length !== Object.keys(fp.units).length || units.some((u) => fp.units[u.identity] !== u.fingerprint)) return undefined;

    db.exec('BEGIN IMMEDIATE');
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'noop_streak'`).run(JSON.stringify(streak + 1));
    addRun(db, ledgerEntry('check', started, 'noop', { records: 0, bytes: 0 }));
    db.exec('COMMIT');
    return {
      result: 'noop',
      moved: [],
      noop_streak: streak + 1,
      records: 0,
      duplicates: 0,
      bytes: 0,
      skipped: 0,
      rollup_records: null,
      held: [],
      files: [],
      state_dir: dir,
      skipped_details: [],
      held_back: [],
      early_bytes: 0,
      applied: [],
    };
  } catch {
    return undefined;
  } finally {
    if (db?.inTransaction) db.exec('ROLLBACK');
    db?.close();
  }
}
