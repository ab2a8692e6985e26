import { join } from 'node:path';
import type { LoadedConfig } from '../config/index.js';
import { asStateError, LockError, openStateCopy, openStateDb, State, STATE_FILE, takeLock } from '../store/index.js';
import { stateDirFor } from './gate.js';

export interface OpenState {
  state: State;
  dir: string;
  /** Rolls back whatever was not committed, releases the lock and closes the database. */
  close: () => void;
}

/**
 * The state a run works in, its transaction begun. A real run opens the state database and takes
 * the run lock; a dry run works on a private in-memory copy, takes no lock and writes nothing.
 */
export function openRunState(loaded: LoadedConfig, env: NodeJS.ProcessEnv, o: { dryRun: boolean; rebuild: boolean; label: string }): OpenState {
  const dir = stateDirFor(loaded, env);
  const file = join(dir, STATE_FILE);
  if (o.dryRun) {
    const state = new State(openStateCopy(dir, { rebuild: o.rebuild }), file);
    state.begin();
    return { state, dir, close: () => state.close() };
  }
  let db;
  try {
    db = openStateDb(dir, { rebuild: o.rebuild });
  } catch (e) {
    // Another run is creating or migrating the database this very moment.
    if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new LockError(`another tokentune run holds ${file}`);
    throw e;
  }
  const state = new State(db, file);
  let release: () => void;
  try {
    release = takeLock(state, dir, o.label);
  } catch (e) {
    state.close();
    throw asStateError(e, file);
  }
  if (o.rebuild) state.guard(() => state.clear());
  return {
    state,
    dir,
    close: () => {
      state.close();
      release();
    },
  };
}
