import { plural, termBlock, termText } from '../common/index.js';
import { redact } from '../common/secrets.js';
import { budgetSummary } from '../budget/index.js';
import type { BudgetStatus } from '../run/budget.js';

/**
 * What every command shares, kept free of heavy imports so the no-op check stays cheap: errors are
 * recognised by name, not by importing their classes (and with them zod).
 */

/** Exit codes shared by the commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2, drift: 3, locked: 4 } as const;

const USER_ERRORS = new Set(['ConfigError', 'StateError', 'EditError']);

/** Errors the user can act on get one clear line and their exit code; anything else is a bug. */
export function reportError(e: unknown): number {
  const name = (e as Error | undefined)?.name ?? '';
  const message = termBlock(redact((e as Error | undefined)?.message ?? ''));
  if (name === 'LockError') {
    process.stderr.write(`tune: ${message}\n`);
    return EXIT.locked;
  }
  if (name === 'PublishError') {
    process.stderr.write(`tune: publishing failed: ${message}\n`);
    return EXIT.failed;
  }
  if (USER_ERRORS.has(name)) {
    process.stderr.write(`tune: ${message}\n`);
    return EXIT.usage;
  }
  throw e;
}

interface SkippedInfo {
  ingest: {
    skipped: number;
    skipped_details: { file: string; line: number; reason: string }[];
    held_back: { file: string; bytes: number }[];
    counted_twice?: { formats: string[]; sessions: number; first_day: string; last_day: string }[];
  };
}

/** How much a command says on stderr besides its errors: `--quiet` nothing else, `--verbose` what happened to each source. */
export interface Voice {
  quiet: boolean;
  verbose: boolean;
}

export const NORMAL: Voice = { quiet: false, verbose: false };

/** A notice on stderr, unless quiet. */
export const notice = (v: Voice, text: string): void => {
  // Notes carry names from git, GitHub and the LLM: shown inert, and never with a secret in them.
  if (!v.quiet) process.stderr.write(`tune: ${termBlock(redact(text))}\n`);
};

/** What happened to each source unit (new, read again, gone, held back), with --verbose. */
export function logEvents(v: Voice, events: readonly unknown[]): void {
  if (v.verbose) for (const e of events) process.stderr.write(`tune: ${termText(String(e))}\n`);
}

export function logSkipped(r: SkippedInfo, v: Voice = NORMAL): void {
  if (v.quiet) return;
  for (const s of r.ingest.skipped_details) process.stderr.write(`tune: skipped ${termText(s.file)}:${s.line}: ${termText(s.reason)}\n`);
  const more = r.ingest.skipped - r.ingest.skipped_details.length;
  if (more > 0) process.stderr.write(`tune: … and ${plural(more, 'more skipped line')}\n`);
  for (const h of r.ingest.held_back) process.stderr.write(`tune: held back ${plural(h.bytes, 'byte')} at the end of ${termText(h.file)}: last line has no newline yet\n`);
  for (const t of r.ingest.counted_twice ?? [])
    process.stderr.write(
      `tune: ${plural(t.sessions, 'session')} of ${t.first_day} … ${t.last_day} ${t.sessions === 1 ? 'is' : 'are'} read from both ${t.formats.join(' and ')}: their requests count twice. Read Claude Code through one of them (docs/TELEMETRY.md)\n`,
    );
}

/** A run's budget lines: one per budget, then one per alert it raised (or, in a dry run, would raise). */
export function budgetLines(b: BudgetStatus | undefined): string[] {
  if (!b) return [];
  return [...b.lines.map(budgetSummary), ...b.raised.map((a) => `alert: ${a.text}`), ...b.would_raise.map((t) => `alert (not raised by a dry run): ${t}`)];
}
