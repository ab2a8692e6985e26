import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';

/**
 * Where tokentune keeps its own state for one tuner config: `$XDG_STATE_HOME/tokentune/<hash>/`
 * (falling back to `~/.local/state`), keyed by the config's absolute path so two configs never share
 * state, and never inside the tuned repository unless configured so.
 */
export function stateDir(configFile: string, configured: string | undefined, env: NodeJS.ProcessEnv): string {
  if (configured) return resolve(configured);
  const base = env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state');
  return join(base, 'tokentune', createHash('sha256').update(resolve(configFile)).digest('hex').slice(0, 16));
}
