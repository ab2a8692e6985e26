import { runTune, type ProposalResult, type RunResult } from '../run/index.js';
import { budgetLines, EXIT, logEvents, logSkipped, notice, reportError, type Voice } from './common.js';
import { progressLine } from './progress.js';
import { plural, termBlock, termText } from '../common/index.js';

export interface TuneCommandOptions {
  configPath: string;
  json: boolean;
  showPrompt: boolean;
  dryRun: boolean;
  force: boolean;
  rebuildState: boolean;
  since: string | undefined;
  until: string | undefined;
  push: boolean;
  voice: Voice;
}

export async function runTuneCommand(o: TuneCommandOptions): Promise<number> {
  let result: RunResult;
  const progress = progressLine(process.stderr, !o.voice.quiet);
  try {
    result = await runTune({
      configPath: o.configPath,
      since: o.since,
      until: o.until,
      showPrompt: o.showPrompt,
      dryRun: o.dryRun,
      force: o.force,
      rebuildState: o.rebuildState,
      push: o.push,
      onProgress: progress.onProgress,
    });
  } catch (e) {
    return reportError(e);
  } finally {
    progress.done();
  }
  logEvents(o.voice, result.events);
  logSkipped(result, o.voice);
  for (const p of result.budget?.problems ?? []) notice(o.voice, p);
  // The budgets' lines and alerts go to stderr beside a report, and after the one line of a gated run.
  const budget = budgetLines(result.budget);
  if (result.status !== 'proposal') {
    if (o.json)
      process.stdout.write(
        `${JSON.stringify({ status: result.status, window: result.window, moved: result.moved, applied: result.applied, outcomes: result.outcomes, noop_streak: result.noop_streak, ingest: result.ingest, ...(result.budget ? { budget: result.budget } : {}) }, null, 2)}\n`,
      );
    else if (result.status === 'no-data') process.stdout.write(`no-data: no telemetry from ${result.window?.since} to ${result.window?.until}; nothing to analyse (no LLM call, $0)\n`);
    else {
      for (const a of result.applied) process.stdout.write(`applied: ${plural(a.changes, 'change')} of proposal ${a.proposal} found in the targets; observing\n`);
      process.stdout.write(`${result.status}: nothing moved enough to change a decision since the last proposal (no LLM call, $0); --force runs anyway\n`);
    }
    if (!o.json) for (const l of budget) process.stdout.write(`${termText(l)}\n`);
    return EXIT.ok;
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
  } else {
    if (result.prompt) process.stdout.write(`===== system prompt =====\n${termBlock(result.prompt.system)}\n===== user prompt =====\n${termBlock(result.prompt.user)}\n`);
    process.stdout.write(result.report);
    for (const l of budget) notice(o.voice, l);
  }
  const what = `${plural(result.changes.length, 'change')} from ${plural(result.ingest.records, 'new record')} in ${plural(result.ingest.files, 'file')}${result.ingest.skipped ? `, ${plural(result.ingest.skipped, 'line')} skipped` : ''}`;
  if (result.publish_error !== undefined) {
    process.stderr.write(`tune: publishing failed: ${termText(result.publish_error)}\n`);
    process.stderr.write(
      `tune: the report above was not published and nothing was recorded: fix the cause (the publish block of ${termText(o.configPath)}, the git remote or the token), and the next run publishes it (${what})\n`,
    );
    return EXIT.failed;
  }
  if (o.voice.verbose) notice(o.voice, `LLM: ${result.llm.note}`);
  if (o.dryRun || !result.publish) notice(o.voice, `dry run, nothing written: ${what}`);
  else {
    notice(o.voice, `proposal recorded in the run state: ${what}`);
    for (const note of result.publish.notes) notice(o.voice, note);
  }
  return EXIT.ok;
}

/** The documented `--json` contract. */
export function toJson(r: ProposalResult) {
  return {
    status: r.status,
    window: r.window,
    moved: r.moved,
    applied: r.applied,
    changes: r.changes,
    outcomes: r.outcomes,
    rejected: r.rejected,
    considered: r.considered,
    findings: r.findings,
    ...(r.budget ? { budget: r.budget } : {}),
    diffs: Object.fromEntries(r.files.map((f) => [f.display, f.diff])),
    report: r.report,
    prompt: r.prompt,
    skipped_lines: { count: r.ingest.skipped, details: r.ingest.skipped_details },
    ingest: { files: r.ingest.files, records: r.ingest.records, duplicates: r.ingest.duplicates, bytes: r.ingest.bytes, held_back: r.ingest.held_back, threads: r.ingest.threads },
    llm: r.llm,
    publish: r.publish,
    ...(r.publish_error !== undefined ? { publish_error: r.publish_error } : {}),
  };
}
