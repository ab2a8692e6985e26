import { checkDue, intervalOf } from './backoff.js';

/**
 * `tune daemon`: the drift check and the tuning run on their cron schedules, in one long-lived
 * process. Jobs run one at a time, in-process, under the same state lock as the CLI, so a run started
 * by cron and the daemon never overlap. Each run writes one JSON line to stdout; nothing else does.
 * SIGINT/SIGTERM stop the schedules and abandon the current run at its next step (the LLM request and
 * git commands are aborted, no state is written, the lock is released); a second signal exits at once.
 */

export interface DaemonOptions {
  configPath: string;
  env: NodeJS.ProcessEnv;
  /** One JSON line per run. */
  log: (line: string) => void;
  /** Start/stop notices for a human: stderr. */
  notice: (line: string) => void;
}

type Job = 'check' | 'tune';

export async function runDaemon(o: DaemonOptions): Promise<number> {
  const [{ loadConfig }, { ConfigError }, cron, { runCheck }, { runTune }] = await Promise.all([
    import('../config/index.js'),
    import('../common/index.js'),
    import('node-cron'),
    import('../run/index.js'),
    import('../run/index.js'),
  ]);
  const loaded = await loadConfig(o.configPath);
  const { schedule } = loaded.config;
  for (const key of ['check', 'tune'] as const) {
    if (!cron.validate(schedule[key])) throw new ConfigError(`${loaded.file}: schedule.${key}: "${schedule[key]}" is not a cron expression (5 fields, or 6 with seconds first)`);
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: schedule.timezone });
  } catch {
    throw new ConfigError(`${loaded.file}: schedule.timezone: "${schedule.timezone}" is not an IANA time zone (e.g. UTC, Europe/Berlin)`);
  }

  const controller = new AbortController();
  const queue: Job[] = [];
  let running: Promise<void> | null = null;
  let stopping = false;
  let lastCheck: number | null = null;
  let streak = 0;

  const log = (job: Job, started: number, fields: Record<string, unknown>) =>
    o.log(JSON.stringify({ time: new Date().toISOString(), level: 'info', job, duration_ms: Date.now() - started, ...fields }));

  const failure = (e: unknown): Record<string, unknown> => {
    if (controller.signal.aborted) return { result: 'aborted', message: 'stopped by a signal: abandoned before writing anything' };
    const name = (e as Error).name;
    if (name === 'LockError') return { level: 'warn', result: 'locked', message: (e as Error).message };
    return { level: 'error', result: 'error', error: name, message: (e as Error).message };
  };

  const tasks = {
    check: cron.createTask(schedule.check, () => enqueue('check'), { timezone: schedule.timezone, name: 'tokentune-check' }),
    tune: cron.createTask(schedule.tune, () => enqueue('tune'), { timezone: schedule.timezone, name: 'tokentune-tune' }),
  };
  const baseMs = intervalOf(tasks.check.getNextRuns(5));
  const capMs = Math.max(baseMs, intervalOf(tasks.tune.getNextRuns(5)));

  async function runJob(job: Job): Promise<void> {
    const started = Date.now();
    if (job === 'check') {
      // Back-off: after no-ops in a row, ticks are skipped, silently.
      if (!checkDue(started, lastCheck, streak, baseMs, capMs)) return;
      try {
        const r = await runCheck(o.configPath, { env: o.env, label: 'tune daemon (check)' });
        lastCheck = started;
        streak = r.result === 'noop' ? r.noop_streak : 0;
        log('check', started, { result: r.result, moved: r.moved.slice(0, 5), applied: r.applied, noop_streak: r.noop_streak, records: r.records, bytes: r.bytes, skipped: r.skipped });
      } catch (e) {
        log('check', started, failure(e));
      }
      return;
    }
    try {
      const r = await runTune({ configPath: o.configPath, dryRun: false, push: true, env: o.env, abort: controller.signal, lockLabel: 'tune daemon (tune)' });
      lastCheck = started;
      streak = r.noop_streak;
      if (r.status !== 'proposal') return log('tune', started, { result: r.status, applied: r.applied, noop_streak: r.noop_streak, records: r.ingest.records });
      const p = r.publish;
      log('tune', started, {
        result: 'proposal',
        changes: r.changes.length,
        records: r.ingest.records,
        llm: r.llm.outcome,
        llm_cost_usd: r.llm.cost_usd,
        publish: p?.status ?? null,
        branch: p?.branch ?? null,
        commit: p?.commit ?? null,
        pr: p?.pr?.pr ? { action: p.pr.action, number: p.pr.pr.number, url: p.pr.pr.url } : (p?.pr?.action ?? null),
      });
    } catch (e) {
      log('tune', started, failure(e));
    }
  }

  function enqueue(job: Job): void {
    if (stopping || queue.includes(job)) return;
    queue.push(job);
    running ??= (async () => {
      while (queue.length && !stopping) await runJob(queue.shift()!);
      running = null;
    })();
  }

  const done = new Promise<number>((resolve) => {
    const stop = async (signal: NodeJS.Signals) => {
      if (stopping) {
        o.notice(`tune daemon: ${signal} again, exiting now`);
        process.exit(130);
      }
      stopping = true;
      o.notice(`tune daemon: ${signal}: stopping${running ? ' after abandoning the current run' : ''}`);
      await Promise.all([tasks.check.destroy(), tasks.tune.destroy()]);
      controller.abort();
      await running;
      o.notice('tune daemon: stopped');
      resolve(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

  await Promise.all([tasks.check.start(), tasks.tune.start()]);
  const next = (t: typeof tasks.check) => t.getNextRun()?.toISOString() ?? 'never';
  o.notice(`tune daemon: check "${schedule.check}" (next ${next(tasks.check)}), tune "${schedule.tune}" (next ${next(tasks.tune)}), time zone ${schedule.timezone}; pid ${process.pid}`);
  return done;
}
