import { loadConfig, type LoadedConfig } from '../config/index.js';
import { BUNDLED_LIFECYCLE_CHECKED, BUNDLED_PRICES, BUNDLED_RETIREMENTS, LITELLM_TABLE_URL, parseLiteLlmTable, type LifecycleSnapshot } from '../pricing/index.js';
import type { State } from '../store/index.js';
import { openRunState } from './state.js';

/** The table could not be fetched or read; the kept one is unchanged. */
export class ModelsUpdateError extends Error {
  override name = 'ModelsUpdateError';
}

export interface ModelsUpdateResult {
  source: string;
  fetched_at: string;
  models: number;
  retirements: number;
  /** Deprecated models no successor was found for. */
  unmatched: string[];
}

/**
 * `tune models update`: fetches LiteLLM's price and deprecation table, keeps what the tuned providers
 * run as a snapshot in the state, and makes the next check take the full path (the decisions may
 * differ under new prices or dates). The bundled table stays the default where no snapshot is kept.
 */
export async function runModelsUpdate(o: { configPath: string; url?: string; env: NodeJS.ProcessEnv; now?: Date; fetchFn?: typeof fetch }): Promise<ModelsUpdateResult> {
  const loaded = await loadConfig(o.configPath);
  const url = o.url ?? LITELLM_TABLE_URL;
  let res: Response;
  try {
    res = await (o.fetchFn ?? fetch)(url, { signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new ModelsUpdateError(`${url}: ${(e as Error).message}; the model table kept is unchanged`);
  }
  if (!res.ok) throw new ModelsUpdateError(`${url}: HTTP ${res.status} ${res.statusText}; the model table kept is unchanged`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ModelsUpdateError(`${url}: not JSON; the model table kept is unchanged`);
  }
  let snapshot: LifecycleSnapshot;
  try {
    snapshot = parseLiteLlmTable(json, url, o.now ?? new Date(), loaded.config.models.retirements);
  } catch (e) {
    throw new ModelsUpdateError(`${(e as Error).message}; the model table kept is unchanged`);
  }
  if (!Object.keys(snapshot.prices).length) throw new ModelsUpdateError(`${url}: no Anthropic or OpenAI chat model in it; the model table kept is unchanged`);
  const { state, close } = openRunState(loaded, o.env, { dryRun: false, rebuild: false, label: 'tune models update' });
  try {
    state.guard(() => {
      state.lifecycle = snapshot;
      state.forgetFingerprint();
      state.commit();
    });
  } finally {
    close();
  }
  return { source: url, fetched_at: snapshot.fetched_at, models: Object.keys(snapshot.prices).length, retirements: Object.keys(snapshot.retirements).length, unmatched: snapshot.unmatched };
}

/** Which model table a run used, in words for the report. */
export function modelTableNote(snapshot: LifecycleSnapshot | undefined): string {
  return snapshot
    ? `LiteLLM's table fetched on ${snapshot.fetched_at.slice(0, 10)} (tune models update), over the bundled one`
    : `bundled, checked against the vendors' pages on ${BUNDLED_LIFECYCLE_CHECKED} (tune models update refreshes it)`;
}

/**
 * The config's prices and retirements over the state's snapshot over the bundled table: what the user
 * wrote always wins, then the newest fetched table, then what shipped.
 */
export function withLifecycle(loaded: LoadedConfig, state: State): LoadedConfig {
  const snapshot = state.lifecycle;
  if (!snapshot) return loaded;
  const { config } = loaded;
  return {
    ...loaded,
    pricing: {
      ...loaded.pricing,
      table: { ...BUNDLED_PRICES, ...snapshot.prices, ...config.pricing.models },
      retirements: { ...BUNDLED_RETIREMENTS, ...snapshot.retirements, ...config.models.retirements },
    },
  };
}
