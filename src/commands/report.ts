import { budgetSummary } from '../budget/index.js';
import { fmtTokens, fmtUsd, isCalendarDay, termText } from '../common/index.js';
import { EXIT, logSkipped, notice, reportError, type Voice } from './common.js';
import { progressLine } from './progress.js';
import { SHAPE, usageJson, type BillingBlock, type CostMode, type Grouping, type UsageReport } from '../report/index.js';

export interface ReportCommandOptions {
  grouping: Grouping;
  configPath: string | undefined;
  since?: string;
  until?: string;
  timeZone?: string;
  json: boolean;
  breakdown: boolean;
  mode: CostMode;
  /** The day weeks start on, 0 (Sunday) to 6. */
  startOfWeek?: number;
  /** False: never colour (--no-color); else colour on a terminal unless NO_COLOR is set. */
  color?: boolean;
  voice: Voice;
}

/** `tune report <grouping>`: usage and cost from the state, after reading what is new. */
export async function runReportCommand(o: ReportCommandOptions): Promise<number> {
  const days = dayRange(o.since, o.until);
  if ('error' in days) {
    process.stderr.write(`tune: ${days.error}\n`);
    return EXIT.usage;
  }
  const { since, until } = days;
  const timeZone = o.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    process.stderr.write(`tune: --timezone: unknown time zone "${termText(timeZone)}" (an IANA name, e.g. Europe/Berlin)\n`);
    return EXIT.usage;
  }
  let r;
  const progress = progressLine(process.stderr, !o.voice.quiet);
  try {
    const { runReport } = await import('../run/index.js');
    r = await runReport({ configPath: o.configPath, grouping: o.grouping, since, until, timeZone, mode: o.mode, startOfWeek: o.startOfWeek ?? 1, env: process.env, onProgress: progress.onProgress });
  } catch (e) {
    return reportError(e);
  } finally {
    progress.done();
  }
  logSkipped(r, o.voice);
  if (o.json) process.stdout.write(`${JSON.stringify(usageJson(r.report), null, 2)}\n`);
  else process.stdout.write(table(r.report, o.breakdown, terminalWidth(), colorOn(o.color)));
  if (r.report.detailSince)
    notice(
      o.voice,
      `Claude Code responses before ${r.report.detailSince} are not in this grouping: retention (state.retention_days, counted back from the newest record) pruned their per-record detail; daily, weekly and monthly totals still hold them`,
    );
  if (o.grouping === 'category' && !r.report.rows.length)
    notice(
      o.voice,
      'no phase records in the state: a category comes from the phases of a pipeline (the tokentune export, Autopack, Myco); Claude Code transcripts have none, and `report agent` groups them by subagent instead',
    );
  if (r.report.unpriced.length) notice(o.voice, `no price for ${r.report.unpriced.map(termText).join(', ')}: counted at $0 (add it under pricing.models)`);
  return EXIT.ok;
}

/** `tune report blocks`: Claude's 5-hour billing windows; `active` only the one the clock is in. */
export async function runBlocksCommand(o: Omit<ReportCommandOptions, 'grouping' | 'breakdown' | 'startOfWeek'> & { active: boolean }): Promise<number> {
  const days = dayRange(o.since, o.until);
  if ('error' in days) {
    process.stderr.write(`tune: ${days.error}\n`);
    return EXIT.usage;
  }
  const { since, until } = days;
  let r;
  const progress = progressLine(process.stderr, !o.voice.quiet);
  try {
    const { runBlocksReport } = await import('../run/index.js');
    r = await runBlocksReport({ configPath: o.configPath, timeZone: 'UTC', mode: o.mode, env: process.env, onProgress: progress.onProgress });
  } catch (e) {
    return reportError(e);
  } finally {
    progress.done();
  }
  logSkipped(r, o.voice);
  // Days of a block's start, in UTC as its times are given.
  const blocks = r.blocks.filter((b) => (!o.active || b.isActive) && (!since || b.startTime.slice(0, 10) >= since) && (!until || b.startTime.slice(0, 10) <= until));
  if (o.json) process.stdout.write(`${JSON.stringify({ blocks }, null, 2)}\n`);
  else process.stdout.write(blocksTable(blocks, terminalWidth(), colorOn(o.color)));
  if (o.active && !blocks.length) notice(o.voice, 'no active block: no response in the last five hours');
  return EXIT.ok;
}

/** `tune report budget`: each monthly budget's spend to date, share and month-end projection. */
export async function runBudgetCommand(o: { configPath: string | undefined; json: boolean; voice: Voice }): Promise<number> {
  let r;
  const progress = progressLine(process.stderr, !o.voice.quiet);
  try {
    const { runBudgetReport } = await import('../run/index.js');
    r = await runBudgetReport({ configPath: o.configPath, timeZone: 'UTC', mode: 'auto', env: process.env, onProgress: progress.onProgress });
  } catch (e) {
    return reportError(e);
  } finally {
    progress.done();
  }
  logSkipped(r, o.voice);
  const lines = r.budget?.lines ?? [];
  if (o.json) process.stdout.write(`${JSON.stringify({ budgets: lines, would_raise: r.budget?.would_raise ?? [] }, null, 2)}\n`);
  else {
    for (const l of lines) process.stdout.write(`${termText(budgetSummary(l))}${l.reached.length ? `; reached ${l.reached.map((t) => `${Math.round(t * 100)}%`).join(', ')}` : ''}\n`);
    for (const t of r.budget?.would_raise ?? []) process.stdout.write(`alert due (raised by the next check): ${termText(t)}\n`);
  }
  if (!r.budget) notice(o.voice, 'no budget set: add budgets.monthly_usd (or budgets.project, agent, category) to the config');
  return EXIT.ok;
}

/** `tune report step --order <id>`: AutoSkillit's Token Usage Summary of one order, with the orchestrator's share. */
export async function runStepCommand(o: { configPath: string | undefined; order: string | undefined; json: boolean; voice: Voice }): Promise<number> {
  if (!o.order) {
    process.stderr.write('tune: report step needs --order <id>: the AutoSkillit order (order_id) whose steps to sum\n');
    return EXIT.usage;
  }
  let r;
  const progress = progressLine(process.stderr, !o.voice.quiet);
  try {
    const { runStepReport } = await import('../run/index.js');
    r = await runStepReport({ configPath: o.configPath, order: o.order, timeZone: 'UTC', mode: 'auto', env: process.env, onProgress: progress.onProgress });
  } catch (e) {
    return reportError(e);
  } finally {
    progress.done();
  }
  logSkipped(r, o.voice);
  if (o.json) process.stdout.write(`${JSON.stringify({ order: o.order, steps: r.rows, orchestrator: r.orchestrator ?? null }, null, 2)}\n`);
  else {
    const { stepTable } = await import('../report/index.js');
    process.stdout.write(stepTable(r.rows, r.orchestrator, termText));
  }
  if (!r.rows.length) notice(o.voice, `no AutoSkillit session of order ${termText(o.order)} in the state (format: autoskillit reads them)`);
  return EXIT.ok;
}

/** `tune report waste`: the waste detectors over Claude Code transcripts, as Markdown or one JSON document. */
export async function runWasteCommand(o: { configPath: string | undefined; json: boolean; voice: Voice }): Promise<number> {
  let r;
  try {
    const { runWaste } = await import('../run/index.js');
    r = await runWaste({ configPath: o.configPath, env: process.env });
  } catch (e) {
    return reportError(e);
  }
  if (o.json) process.stdout.write(`${JSON.stringify(r.report, null, 2)}\n`);
  else {
    const { wasteMarkdown } = await import('../report/index.js');
    process.stdout.write(wasteMarkdown(r.report));
  }
  return EXIT.ok;
}

/** Blocks as rows: start (UTC), status, models, tokens, cost; the active block with its burn rate and projection. */
export function blocksTable(blocks: readonly BillingBlock[], width: number, color = false): string {
  const head = ['Block start (UTC)', 'Status', 'Models', 'Tokens', 'Cost (USD)'];
  const lines = blocks.map((b) => {
    const status = b.isGap ? 'gap' : b.isActive ? `active, ${minutes(Date.parse(b.endTime) - Date.now())} left` : 'done';
    return [b.startTime.slice(0, 16).replace('T', ' '), status, termText([...new Set(b.models.map(shortModel))].join(', ')), b.isGap ? '' : fmtTokens(b.totalTokens), b.isGap ? '' : fmtUsd(b.costUSD)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const room = width - widths.reduce((a, w, i) => a + (i === 2 ? 0 : w), 0) - 2 * (head.length - 1);
  widths[2] = Math.max(6, Math.min(widths[2]!, room));
  const cell = (s: string, i: number) => {
    const w = widths[i]!;
    const cut = s.length > w ? `${s.slice(0, w - 1)}…` : s;
    return i >= 3 ? cut.padStart(w) : cut.padEnd(w);
  };
  const paint = painter(color);
  const out = [
    paint('head', head.map(cell).join('  ')),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...lines.map((l, i) => paint(blocks[i]!.isActive ? 'active' : blocks[i]!.isGap ? 'faint' : 'plain', l.map(cell).join('  '))),
  ];
  const active = blocks.find((b) => b.isActive);
  if (active?.burnRate && active.projection) {
    out.push(
      '',
      `Burn rate: ${fmtTokens(Math.round(active.burnRate.tokensPerMinute))} tokens/min, ${fmtUsd(active.burnRate.costPerHour)}/hour; at this rate the block ends at ${fmtTokens(active.projection.totalTokens)} tokens, ${fmtUsd(active.projection.totalCost)}`,
    );
  }
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
}

const minutes = (ms: number): string => {
  const m = Math.max(0, Math.round(ms / 60_000));
  return m >= 60 ? `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m` : `${m}m`;
};

/**
 * Whether the tables are coloured: never with --no-color or a non-empty NO_COLOR (no-color.org),
 * always with a non-empty FORCE_COLOR other than 0, else when stdout is a terminal.
 */
export function colorOn(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): boolean {
  if (flag === false || env['NO_COLOR']) return false;
  if (env['FORCE_COLOR'] && env['FORCE_COLOR'] !== '0') return true;
  return tty;
}

const SGR = { head: '1;36', total: '1;33', active: '32', faint: '2', plain: '' } as const;

/** Wraps a whole laid-out line in one colour, so that colour never moves a column. */
const painter =
  (on: boolean) =>
  (kind: keyof typeof SGR, line: string): string => {
    const body = line.trimEnd();
    return on && SGR[kind] && body ? `\x1b[${SGR[kind]}m${body}\x1b[0m` : body;
  };

/** The terminal's width; piped, $COLUMNS if set, else 120. */
function terminalWidth(): number {
  const env = Number(process.env['COLUMNS']);
  return process.stdout.columns || (Number.isInteger(env) && env > 0 ? env : 120);
}

/** A model's name as a table shows it: `claude-opus-4-5-20251101` → `opus-4-5`; others as they are. */
export const shortModel = (m: string): string => m.replace(/^(?:anthropic\/)?claude-/, '').replace(/-\d{8}$/, '');

/** --since and --until as days, or what is wrong with them. */
function dayRange(sinceArg: string | undefined, untilArg: string | undefined): { since?: string; until?: string } | { error: string } {
  const since = day(sinceArg, '--since');
  const until = day(untilArg, '--until');
  if (typeof since === 'object') return since;
  if (typeof until === 'object') return until;
  if (since && until && since > until) return { error: `--since ${since} is after --until ${until}: no day is both` };
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/** YYYY-MM-DD, or YYYYMMDD as ccusage takes it. */
function day(v: string | undefined, flag: string): string | undefined | { error: string } {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!m) return { error: `${flag} must be a date, YYYY-MM-DD or YYYYMMDD, got "${termText(v)}"` };
  if (!isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]))) return { error: `${flag} ${termText(v)} is not a day of the calendar` };
  return `${m[1]}-${m[2]}-${m[3]}`;
}

const TITLE: Record<Grouping, string> = { daily: 'Date', weekly: 'Week', monthly: 'Month', session: 'Session', project: 'Project', model: 'Model', agent: 'Agent', category: 'Category' };

/**
 * A plain table that fits `width` columns: the models column gives way first. Below 100 columns it is
 * compact, as ccusage's: the cache columns go (their tokens stay in Total).
 */
export function table(r: UsageReport, breakdown: boolean, width: number, color = false): string {
  // Phases report one total of tokens: by category, their count stands where the kinds would.
  const phases = r.grouping === 'category';
  const compact = width < 100;
  const head = [TITLE[r.grouping], 'Models', ...(phases ? ['Phases'] : compact ? ['Input', 'Output'] : ['Input', 'Output', 'Cache write', 'Cache read']), 'Total', 'Cost (USD)'];
  const keyField = SHAPE[r.grouping].key;
  type Counts = { inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; phases?: number };
  const middle = (c: Counts) =>
    phases
      ? [String(c.phases ?? 0)]
      : compact
        ? [fmtTokens(c.inputTokens), fmtTokens(c.outputTokens)]
        : [fmtTokens(c.inputTokens), fmtTokens(c.outputTokens), fmtTokens(c.cacheCreationTokens), fmtTokens(c.cacheReadTokens)];
  const lines: string[][] = [];
  let totalPhases = 0;
  for (const row of r.rows) {
    totalPhases += (row['phases'] as number | undefined) ?? 0;
    // A cost that leaves out an unpriced model says so: "$0.00" alone would read as free.
    const partial = row.modelBreakdowns.some((m) => m.unpriced);
    const allUnpriced = row.modelBreakdowns.every((m) => m.unpriced);
    const cost = allUnpriced ? 'unpriced' : `${fmtUsd(row.totalCost)}${partial ? '*' : ''}`;
    const key = r.grouping === 'model' ? shortModel(String(row[keyField])) : String(row[keyField]);
    lines.push([
      termText(key),
      termText([...new Set(row.modelsUsed.map(shortModel))].join(', ')),
      ...middle({ ...row, phases: row['phases'] as number | undefined }),
      fmtTokens(row.totalTokens),
      cost,
    ]);
    if (breakdown) {
      for (const m of row.modelBreakdowns)
        lines.push([
          '',
          `  ${termText(shortModel(m.modelName))}`,
          ...middle(m),
          fmtTokens(m.totalTokens ?? m.inputTokens + m.outputTokens + m.cacheCreationTokens + m.cacheReadTokens),
          m.unpriced ? 'unpriced' : fmtUsd(m.cost),
        ]);
    }
  }
  const t = r.totals;
  lines.push(['Total', '', ...middle({ ...t, phases: totalPhases }), fmtTokens(t.totalTokens), `${fmtUsd(t.totalCost)}${r.unpriced.length ? '*' : ''}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const room = width - widths.reduce((a, w, i) => a + (i === 1 ? 0 : w), 0) - 2 * (head.length - 1);
  widths[1] = Math.max(6, Math.min(widths[1]!, room));
  // The key column shrinks too when even that does not fit (long session ids).
  const over = widths.reduce((a, w) => a + w, 0) + 2 * (head.length - 1) - width;
  if (over > 0) widths[0] = Math.max(10, widths[0]! - over);
  const cell = (s: string, i: number) => {
    const w = widths[i]!;
    const cut = s.length > w ? `${s.slice(0, w - 1)}…` : s;
    return i >= 2 ? cut.padStart(w) : cut.padEnd(w);
  };
  const paint = painter(color);
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = [paint('head', head.map(cell).join('  ')), rule, ...lines.slice(0, -1).map((l) => l.map(cell).join('  ')), rule, paint('total', lines.at(-1)!.map(cell).join('  '))];
  if (r.unpriced.length) out.push(`* leaves out ${r.unpriced.length === 1 ? 'a model' : 'models'} with no price (shown as unpriced)`);
  if (compact && !phases) out.push('(compact: cache tokens are counted in Total; 100 columns show them)');
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
}
