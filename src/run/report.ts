import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig, type LoadedConfig } from '../config/index.js';
import { catchUp, type IngestSummary } from '../ingest/index.js';
import type { Pricing } from '../pricing/index.js';
import { usageReport, type CostMode, type Grouping, type UsageReport } from '../report/index.js';
import { SOURCES } from '../sources/index.js';
import { ledgerEntry } from '../store/index.js';
import { ingestOptions } from './gate.js';
import { openRunState } from './state.js';

export interface ReportRunOptions {
  /** Undefined: `tokentune.yaml` here if there is one, else Claude Code's own location. */
  configPath: string | undefined;
  grouping: Grouping;
  since?: string;
  until?: string;
  timeZone: string;
  mode: CostMode;
  env: NodeJS.ProcessEnv;
  now?: Date;
}

/**
 * `tune report`: reads what is new into the state (as a check does, without recording a check: the
 * next check still compares its decisions), then reports usage from the state.
 */
export async function runReport(o: ReportRunOptions): Promise<{ report: UsageReport; ingest: IngestSummary; pricing: Pricing }> {
  const started = new Date();
  const loaded = await configFor(o);
  const { state, close } = openRunState(loaded, o.env, { dryRun: false, rebuild: false, label: 'tune report' });
  try {
    const { summary } = await state.guard(() => catchUp(state, loaded.sources, { now: o.now ?? new Date(), ...ingestOptions(loaded) }));
    state.guard(() => {
      state.addRun(ledgerEntry('report', started, 'report', summary));
      state.commit();
    });
    const perRecord = SOURCES.filter((s) => s.prefer).map((s) => s.format);
    const report = state.guard(() => usageReport(state.usage(perRecord, BY[o.grouping]), { grouping: o.grouping, timeZone: o.timeZone, mode: o.mode, pricing: loaded.pricing, since: o.since, until: o.until }));
    return { report, ingest: summary, pricing: loaded.pricing };
  } finally {
    close();
  }
}

const DEFAULT_CONFIG = 'tokentune.yaml';

/** What the stored usage is summed by for each grouping. */
const BY = { daily: 'time', weekly: 'time', monthly: 'time', session: 'session', project: 'project', model: 'model', agent: 'agent' } as const;

async function configFor(o: ReportRunOptions): Promise<LoadedConfig> {
  if (o.configPath !== undefined) return loadConfig(o.configPath);
  if (existsSync(DEFAULT_CONFIG)) return loadConfig(DEFAULT_CONFIG);
  // No tuner config: Claude Code's transcripts, with a state of their own.
  const home = o.env['XDG_CONFIG_HOME'] || join(o.env['HOME'] || homedir(), '.config');
  return parseConfig('sources: [{format: claude-code}]\n', join(home, 'tokentune', 'claude-code (no config)'), o.env);
}
