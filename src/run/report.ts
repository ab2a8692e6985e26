import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configHere } from '../common/index.js';
import { loadConfig, parseConfig, type LoadedConfig } from '../config/index.js';
import { catchUp, type IngestSummary, type Progress } from '../ingest/index.js';
import type { Pricing } from '../pricing/index.js';
import { billingBlocks, itemCost, localDate, stepRows, usageReport, type BillingBlock, type CostMode, type Grouping, type OrchestratorShare, type StepRow, type UsageReport } from '../report/index.js';
import { PER_RECORD_FORMATS, SOURCES } from '../sources/index.js';
import { dayOf, ledgerEntry, type State } from '../store/index.js';
import { ingestOptions } from './gate.js';
import { openRunState } from './state.js';
import { withLifecycle } from './models.js';
import { phaseUsage } from './phase-usage.js';
import { evaluateBudgets, type BudgetStatus } from './budget.js';

export interface ReportRunOptions {
  /** Undefined: `tokentune.yaml` here if there is one, else Claude Code's own location. */
  configPath: string | undefined;
  grouping: Grouping;
  since?: string;
  until?: string;
  timeZone: string;
  mode: CostMode;
  /** The day weeks start on, 0 (Sunday) to 6. */
  startOfWeek?: number;
  env: NodeJS.ProcessEnv;
  now?: Date;
  /** Called as the read of new data goes on (a terminal's progress line). */
  onProgress?: (p: Progress) => void;
}

/**
 * `tune report`: reads what is new into the state (as a check does, without recording a check: the
 * next check still compares its decisions), then reports usage from the state.
 */
export async function runReport(o: ReportRunOptions): Promise<{ report: UsageReport; ingest: IngestSummary; pricing: Pricing }> {
  return caughtUp(o, (state, loaded, summary) => {
    const range = { since: o.since ? dayOf(Date.parse(o.since)) : 0, until: o.until ? dayOf(Date.parse(o.until)) : dayOf(Date.now()) + 1 };
    const items = o.grouping === 'category' ? phaseUsage(state, loaded, range) : state.usage(PER_RECORD_FORMATS, BY[o.grouping]);
    const report = state.guard(() =>
      usageReport(items, { grouping: o.grouping, timeZone: o.timeZone, mode: o.mode, pricing: loaded.pricing, since: o.since, until: o.until, startOfWeek: o.startOfWeek ?? 1 }),
    );
    // Day totals come from rollups and are whole; groupings summed from kept records begin where retention left them.
    const pruned = state.prunedBefore;
    if (pruned > 0 && BY[o.grouping] !== 'time' && state.hasDaysBefore(pruned)) report.detailSince = new Date(pruned * 86_400_000).toISOString().slice(0, 10);
    return { report, ingest: summary, pricing: loaded.pricing };
  });
}

/** `tune report blocks`: Claude's 5-hour billing windows over the responses kept one by one. */
export async function runBlocksReport(o: Omit<ReportRunOptions, 'grouping'>): Promise<{ blocks: BillingBlock[]; ingest: IngestSummary }> {
  return caughtUp({ ...o, grouping: 'daily' }, (state, loaded, summary) => {
    const blocks = state.guard(() => billingBlocks(state.usage(PER_RECORD_FORMATS, 'record'), { now: o.now ?? new Date(), mode: o.mode, pricing: loaded.pricing }));
    return { blocks, ingest: summary };
  });
}

/**
 * `tune report budget`: each monthly budget's spend, share and projection, from the state after
 * reading what is new. It raises no alert (checks and tuning runs do): it says which it would.
 */
export async function runBudgetReport(o: Omit<ReportRunOptions, 'grouping'>): Promise<{ budget: BudgetStatus | undefined; ingest: IngestSummary }> {
  return caughtUp({ ...o, grouping: 'daily' }, async (state, loaded, summary) => ({
    budget: await evaluateBudgets(state, loaded, { now: o.now ?? new Date(), env: o.env, dryRun: true }),
    ingest: summary,
  }));
}

/** What Claude Code's status line shows: this session's cost, today's, and the block the clock is in. */
export interface StatusFigures {
  sessionCost: number | null;
  todayCost: number;
  block: BillingBlock | null;
}

/** How long the status line reads only its own session's files before it looks at every source again. */
export const STATUS_FULL_READ_MS = 5 * 60_000;

export async function runStatus(o: Omit<ReportRunOptions, 'grouping'> & { sessionId?: string; transcriptPath?: string }): Promise<StatusFigures> {
  const now = o.now ?? new Date();
  // Each session's own status line keeps its transcript current; the other sources (sessions with no
  // status line, headless runs) are read again every few minutes, which is what "today" may lag by.
  const scope = (state: State): string[] | undefined => {
    if (!o.transcriptPath || now.getTime() - state.fullReadAt >= STATUS_FULL_READ_MS) return undefined;
    const subagents = join(o.transcriptPath.replace(/\.jsonl$/, ''), 'subagents');
    return [o.transcriptPath, ...(existsSync(subagents) ? [subagents] : [])];
  };
  return caughtUp(
    { ...o, grouping: 'daily' },
    (state, loaded) => {
      // Only what can fall on today anywhere, and only this session's responses: not the whole history.
      const today = usageReport(state.usage(PER_RECORD_FORMATS, 'time', { sinceTs: now.getTime() - 26 * 3_600_000 }), {
        grouping: 'daily',
        timeZone: o.timeZone,
        mode: o.mode,
        pricing: loaded.pricing,
        since: localDate(o.timeZone)(now.getTime()),
      });
      const session = o.sessionId
        ? usageReport(state.usage(PER_RECORD_FORMATS, 'session', { session: o.sessionId }), { grouping: 'session', timeZone: o.timeZone, mode: o.mode, pricing: loaded.pricing }).rows.find(
            (r) => r['sessionId'] === o.sessionId,
          )
        : undefined;
      // An open block began under five hours ago; a day back finds where its chain of blocks began but for
      // a day of responses without a five-hour pause, when the block's start may be off by up to five hours.
      const blocks = billingBlocks(state.usage(PER_RECORD_FORMATS, 'record', { sinceTs: now.getTime() - 24 * 3_600_000 }), { now, mode: o.mode, pricing: loaded.pricing });
      return { sessionCost: session ? session.totalCost : null, todayCost: today.totals.totalCost, block: blocks.find((b) => b.isActive) ?? null };
    },
    scope,
  );
}

/**
 * Reads what is new into the state (as a check does, without recording a check), then `f` over it.
 * `scope` may narrow the read to some files of the sources; such a read is not entered in the run
 * ledger (the status line would crowd out every other run).
 */
async function caughtUp<T>(
  o: ReportRunOptions,
  f: (state: State, loaded: LoadedConfig, summary: IngestSummary) => T | Promise<T>,
  scope?: (state: State) => readonly string[] | undefined,
): Promise<T> {
  const started = new Date();
  let loaded = await configFor(o);
  const { state, close } = openRunState(loaded, o.env, { dryRun: false, rebuild: false, label: 'tune report' });
  // The model table `tune models update` fetched, under the config's own prices and dates.
  loaded = withLifecycle(loaded, state);
  try {
    const now = o.now ?? new Date();
    const only = state.guard(() => scope?.(state));
    const { summary } = await state.guard(() => catchUp(state, loaded.sources, { now, ...ingestOptions(loaded), onProgress: o.onProgress, ...(only ? { only } : {}) }));
    state.guard(() => {
      if (!only) {
        state.fullReadAt = now.getTime();
        state.addRun(ledgerEntry('report', started, 'report', summary));
      }
      state.commit();
    });
    return await f(state, loaded, summary);
  } finally {
    close();
  }
}

/** What the stored usage is summed by for each grouping. */
const BY = { daily: 'time', weekly: 'time', monthly: 'time', session: 'session', project: 'project', model: 'model', agent: 'agent', category: 'time' } as const;

export async function configFor(o: Pick<ReportRunOptions, 'configPath' | 'env'>): Promise<LoadedConfig> {
  if (o.configPath !== undefined) return loadConfig(o.configPath);
  const here = configHere();
  if (here) return loadConfig(here);
  // No tuner config: the agents' own files where they are (Claude Code's transcripts, else the
  // error saying where they were looked for; Codex's sessions beside them), with a state of their own.
  const home = o.env['XDG_CONFIG_HOME'] || join(o.env['HOME'] || homedir(), '.config');
  const found = SOURCES.filter((a) => a.home && a.home.find(o.env).roots.length).map((a) => a.format);
  const formats = found.length ? found : ['claude-code'];
  return parseConfig(`sources: [${formats.map((f) => `{format: ${f}}`).join(', ')}]\n`, join(home, 'tokentune', 'claude-code (no config)'), o.env);
}

/**
 * `tune report step --order <id>`: an AutoSkillit order's steps as its PR hook sums them, and the share
 * of the orchestrator sessions that dispatched them (their Claude Code transcripts, where a source reads
 * them), split over the orders they dispatched by how many sessions of each.
 */
export async function runStepReport(o: Omit<ReportRunOptions, 'grouping'> & { order: string }): Promise<{ rows: StepRow[]; orchestrator: OrchestratorShare | undefined; ingest: IngestSummary }> {
  return caughtUp({ ...o, grouping: 'daily' }, (state, loaded, summary) => {
    const work = state.guard(() => state.view(0, dayOf(Date.now()) + 1).work.filter((w) => w.unit === 'session'));
    const rows = stepRows(work, o.order);
    const callers = [...new Set(work.filter((w) => w.run_id === o.order && w.caller).map((w) => w.caller!))];
    let orchestrator: OrchestratorShare | undefined;
    if (callers.length) {
      const mine = work.filter((w) => w.run_id === o.order && w.caller).length;
      const all = work.filter((w) => w.caller && callers.includes(w.caller)).length;
      const share = mine / all;
      const t = { uncached: 0, output: 0, cache_read: 0, cache_write: 0, usd: 0 };
      const unpriced = new Set<string>();
      for (const session of callers)
        for (const u of state.guard(() => [...state.usage(PER_RECORD_FORMATS, 'session', { session })])) {
          t.uncached += u.input;
          t.output += u.output;
          t.cache_read += u.cache_read;
          t.cache_write += u.cache_creation;
          t.usd += itemCost(u, 'calculate', loaded.pricing, unpriced);
        }
      const priced = unpriced.size === 0;
      if (t.uncached + t.output + t.cache_read + t.cache_write > 0)
        orchestrator = {
          sessions: callers,
          share,
          uncached: t.uncached * share,
          output: t.output * share,
          cache_read: t.cache_read * share,
          cache_write: t.cache_write * share,
          usd: priced ? t.usd * share : null,
        };
    }
    return { rows, orchestrator, ingest: summary };
  });
}
