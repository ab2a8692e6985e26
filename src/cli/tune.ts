import { ConfigError } from '../config/errors.js';
import { runTune, type ProposalResult } from '../pipeline.js';

export interface TuneCommandOptions {
  configPath: string;
  json: boolean;
  showPrompt: boolean;
  since: string | undefined;
  until: string | undefined;
}

export async function runTuneCommand(o: TuneCommandOptions): Promise<number> {
  let result: ProposalResult;
  try {
    result = await runTune({ configPath: o.configPath, since: o.since, until: o.until, showPrompt: o.showPrompt, dryRun: true });
  } catch (e) {
    if (e instanceof ConfigError || (e as Error).name === 'EditError') {
      process.stderr.write(`tune: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  logSkipped(result);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
    return 0;
  }
  if (result.prompt) {
    process.stdout.write(`===== system prompt =====\n${result.prompt.system}\n===== user prompt =====\n${result.prompt.user}\n`);
  }
  process.stdout.write(result.report);
  process.stderr.write(
    `tune: dry run, nothing written: ${result.changes.length} change(s) from ${result.ingest.records} records in ${result.ingest.files} file(s)` +
      `${result.ingest.skipped ? `, ${result.ingest.skipped} line(s) skipped` : ''}\n`,
  );
  return 0;
}

/** The documented `--json` contract. */
export function toJson(r: ProposalResult) {
  return {
    status: r.status,
    window: r.window,
    changes: r.changes,
    rejected: r.rejected,
    considered: r.considered,
    findings: r.findings,
    diffs: Object.fromEntries(r.files.map((f) => [f.display, f.diff])),
    report: r.report,
    prompt: r.prompt,
    skipped_lines: { count: r.ingest.skipped, details: r.ingest.skipped_details },
    ingest: { files: r.ingest.files, records: r.ingest.records, bytes: r.ingest.bytes, held_back: r.ingest.held_back, threads: r.ingest.threads },
    llm: r.llm,
  };
}

function logSkipped(r: ProposalResult): void {
  for (const s of r.ingest.skipped_details) process.stderr.write(`tune: skipped ${s.file}:${s.line}: ${s.reason}\n`);
  const more = r.ingest.skipped - r.ingest.skipped_details.length;
  if (more > 0) process.stderr.write(`tune: … and ${more} more skipped line(s)\n`);
  for (const h of r.ingest.held_back) process.stderr.write(`tune: held back ${h.bytes} byte(s) at the end of ${h.file}: last line has no newline yet\n`);
}
