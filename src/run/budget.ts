import { alertText, budgetLine, postAlert, type BudgetLine, type ScopeSpend } from '../budget/index.js';
import type { LoadedConfig } from '../config/index.js';
import { itemCost } from '../report/index.js';
import { readFileSync } from 'node:fs';
import { listSourceFiles } from '../ingest/index.js';
import { PER_RECORD_FORMATS, sourceAdapter, vextrusBudget } from '../sources/index.js';
import { dayOf, type BudgetAlert, type State, type StoredUsage } from '../store/index.js';
import { phaseUsage } from './phase-usage.js';

/** What a run found of the budgets: each scope's line, the alerts it raised, and how posting went. */
export interface BudgetStatus {
  lines: BudgetLine[];
  /** Alerts raised by this run (a dry run raises none: `would_raise` says what a run would). */
  raised: BudgetAlert[];
  would_raise: string[];
  /** Alerts the webhook took in this run, this one's and earlier ones' not delivered then. */
  posted: number;
  /** Why posting failed, or that no webhook is set; never fatal. */
  problems: string[];
}

const DAY = 86_400_000;

function vextrusBudgetOf(loaded: LoadedConfig): { monthly_usd: number; threshold: number } | undefined {
  for (const s of loaded.sources.filter((x) => x.format === 'vextrus-cost')) {
    let files: string[];
    try {
      files = listSourceFiles(s.path, sourceAdapter(s.format).extensions);
    } catch {
      continue; // A missing source: ingest says so.
    }
    for (const f of files) {
      try {
        const found = vextrusBudget(readFileSync(f, 'utf8'));
        if (found) return found;
      } catch {
        // Unreadable: ingest says so.
      }
    }
  }
  return undefined;
}

/**
 * Prices the spend of this month (and of the four weeks before, for the projection) per scope, checks
 * the thresholds, records each alert once per month and scope, and posts those not yet delivered.
 * Undefined when the config sets no budget. Runs inside the run's transaction: alerts are recorded
 * with the run, and a dry run records and posts nothing.
 */
export async function evaluateBudgets(
  state: State,
  loaded: LoadedConfig,
  o: { now: Date; env: NodeJS.ProcessEnv; dryRun: boolean; sleep?: (ms: number) => Promise<void> },
): Promise<BudgetStatus | undefined> {
  const own = loaded.config.budgets;
  // Without a fleet budget of its own, the one Vextrus's cost file sets (and its alert share).
  const vextrus = own.monthly_usd ? undefined : vextrusBudgetOf(loaded);
  const b = vextrus ? { ...own, monthly_usd: vextrus.monthly_usd, thresholds: [...new Set([vextrus.threshold, 1])] } : own;
  const wanted: [string, number][] = [
    ...(b.monthly_usd ? ([['fleet', b.monthly_usd]] as [string, number][]) : []),
    ...(['project', 'agent', 'category'] as const).flatMap((kind) => Object.entries(b[kind]).map(([name, usd]): [string, number] => [`${kind}:${name}`, usd])),
  ];
  if (!wanted.length) return undefined;

  const now = o.now;
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const since = Math.min(monthStart, Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 28 * DAY);
  const spend = new Map<string, Map<string, number>>(wanted.map(([scope]) => [scope, new Map()]));
  const unpriced = new Set<string>();
  // Each item's spend goes to the scope `scopeOf` names, where that scope has a budget.
  const add = (items: Iterable<StoredUsage>, scopeOf: (it: StoredUsage) => string | undefined) => {
    for (const it of items) {
      const scope = scopeOf(it);
      const days = scope === undefined ? undefined : spend.get(scope);
      if (!days) continue;
      const day = new Date(dayOf(it.ts) * DAY).toISOString().slice(0, 10);
      days.set(day, (days.get(day) ?? 0) + itemCost(it, 'auto', loaded.pricing, unpriced));
    }
  };
  if (b.monthly_usd) add(state.usage(PER_RECORD_FORMATS, 'time', { sinceTs: since }), () => 'fleet');
  if (Object.keys(b.project).length) add(state.usage(PER_RECORD_FORMATS, 'project', { sinceTs: since, byDay: true }), (it) => it.project && `project:${it.project}`);
  if (Object.keys(b.agent).length) add(state.usage(PER_RECORD_FORMATS, 'agent', { sinceTs: since, byDay: true }), (it) => it.agent && `agent:${it.agent}`);
  if (Object.keys(b.category).length) add(phaseUsage(state, loaded, { since: dayOf(since), until: dayOf(now.getTime()) }), (it) => it.category && `category:${it.category}`);

  const lines = wanted.map(([scope, budget]) => budgetLine({ scope, budget, days: spend.get(scope)! } satisfies ScopeSpend, now, b.thresholds));
  const period = lines[0]!.period;
  const fired = new Set(state.budgetAlerts(period).map((a) => `${a.scope}\u0000${a.threshold}`));
  const fresh = lines.flatMap((l) => l.reached.filter((t) => !fired.has(`${l.scope}\u0000${t}`)).map((t) => ({ l, t })));
  const status: BudgetStatus = { lines, raised: [], would_raise: [], posted: 0, problems: [] };
  if (o.dryRun) {
    status.would_raise = fresh.map(({ l, t }) => alertText(l, t));
    return status;
  }
  for (const { l, t } of fresh) {
    const a = { period, scope: l.scope, threshold: t, spent: l.spent, budget: l.budget, at: now.toISOString(), text: alertText(l, t) };
    state.addBudgetAlert(a);
    status.raised.push({ ...a, delivered: 0 });
  }
  const pending = state.budgetAlerts(period).filter((a) => !a.delivered);
  if (!pending.length) return status;
  const url = o.env[b.webhook_url_env];
  if (!url) {
    if (status.raised.length) status.problems.push(`no webhook: set ${b.webhook_url_env} to post budget alerts`);
    return status;
  }
  for (const a of pending) {
    const r = await postAlert(url, a.text, {
      timeoutMs: b.webhook_timeout_seconds * 1000,
      retries: b.webhook_retries,
      backoffMs: b.webhook_backoff_seconds * 1000,
      ...(o.sleep ? { sleep: o.sleep } : {}),
    });
    if (r.ok) {
      state.markAlertDelivered(a);
      status.posted++;
    } else status.problems.push(`the budget alert webhook (${b.webhook_url_env}) failed: ${r.error}; it is posted again on the next run`);
  }
  return status;
}
