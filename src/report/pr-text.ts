import { createHash } from 'node:crypto';
import { changeKey, type Change } from '../targets/index.js';
import type { Stats } from '../stats/index.js';
import { describe, effectText, projectionOf } from './report.js';
import { cell, fmtSignedPct, fmtTokens, fmtUsd, fmtValue, mdCode } from '../common/index.js';

/**
 * The words around a published proposal: its hash, the commit message, the PR title and body. Pure
 * functions; the hash is what makes re-runs idempotent, so it depends on what the change set does
 * (which value goes from what to what), never on wording, timestamps or the LLM's explanations.
 */

export const TRAILER = 'Tokentune-Proposal';
const MARKER = /^<!--\s*tokentune:proposal=([0-9a-f]+)\s*-->$/;
/** GitHub refuses PR bodies over 65,536 characters. */
const BODY_LIMIT = 60_000;

export function proposalHash(changes: readonly Change[]): string {
  const canonical = changes.map((c) => [changeKey(c), c.from, c.to]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

/** "−18.0% cost/run, 4 changes": the report's headline, in money, else just the count. */
export function headline(stats: Stats, changes: readonly Change[]): string {
  const p = projectionOf(stats, changes);
  const n = `${changes.length} change${changes.length === 1 ? '' : 's'}`;
  return p.usdChange !== 0 ? `${fmtSignedPct(p.usdChange)} cost/run, ${n}` : n;
}

/**
 * The commit of a proposal, readable on any git host without its pull request: per change, what
 * moves, why (the rationale, shortened), the evidence and the expected effect.
 */
export function commitMessage(project: string, stats: Stats, changes: readonly Change[], hash: string): string {
  const lines = [`Cost tuning for ${project}: ${headline(stats, changes)}`, ''];
  // One line each, whatever a category name or the LLM's words hold: a line break could forge the
  // trailer, and the detail lines are indented, so none can start with it.
  for (const c of changes) {
    lines.push(`- ${mdCode(describe(c))}${c.pilot ? ' (pilot)' : ''}`);
    const why = shorten(oneLine(c.rationale), 200);
    if (why) lines.push(`  Why: ${why}`);
    const evidence = evidenceLine(c.evidence);
    if (evidence) lines.push(`  Evidence: ${evidence}`);
    lines.push(`  Effect per run: ${oneLine(effectText(c))}; confidence ${c.confidence}`);
  }
  lines.push('', `Proposed by tokentune from usage telemetry of ${stats.window.since} to ${stats.window.until}.`, '', `${TRAILER}: ${hash}`);
  return `${lines.join('\n')}\n`;
}

const oneLine = (s: string): string =>
  s
    // eslint-disable-next-line no-control-regex -- control characters are what it removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** The first sentence, or the first `max` characters at a word. */
function shorten(s: string, max: number): string {
  const sentence = /^.+?[.!?](?=\s|$)/.exec(s)?.[0] ?? s;
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2))}…`;
}

/** The change's evidence as `name value` pairs: numbers as the report rounds them, at most eight. */
function evidenceLine(e: Change['evidence']): string {
  const shown = Object.entries(e)
    .filter(([, v]) => v !== null && v !== '')
    .slice(0, 8)
    .map(([k, v]) => `${oneLine(k).replace(/_/g, ' ')} ${typeof v === 'number' ? fmtEvidence(k, v) : shorten(oneLine(v as string), 60)}`);
  return shown.join(', ');
}

const fmtEvidence = (key: string, v: number): string =>
  /rate|share|utilisation|ratio/.test(key) && Math.abs(v) <= 1 ? `${(v * 100).toFixed(1)}%` : Number.isInteger(v) ? v.toLocaleString('en-US') : String(Math.round(v * 1000) / 1000);

/** The proposal hash a commit message's trailer names, if any. */
export function trailerHash(message: string): string | null {
  const m = new RegExp(`^${TRAILER}: ([0-9a-f]+)\\s*$`, 'm').exec(message);
  return m ? m[1]! : null;
}

export const prTitle = (stats: Stats, changes: readonly Change[]): string => `Cost tuning: ${headline(stats, changes)}`;

/**
 * The proposal hash hidden in a PR body, read only where prBody writes it: its last line. A marker
 * anywhere else (quoted from telemetry, or typed by someone) is not ours.
 */
export function markerHash(body: string | null | undefined): string | null {
  const last = (body ?? '').trimEnd().split('\n').at(-1) ?? '';
  return MARKER.exec(last)?.[1] ?? null;
}

export interface BodyInput {
  stats: Stats;
  changes: readonly Change[];
  /** Where each change is written: "models.yaml: complexity_models.low.docs.builder". */
  keyOf: (c: Change) => string;
  report: string;
  hash: string;
}

/**
 * An Infracost-style headline (the average run before and after), the table of changes, then the
 * report, and the hidden marker that tells later runs which proposal this PR holds.
 */
export function prBody(b: BodyInput): string {
  const s = b.stats;
  const p = projectionOf(s, b.changes);
  const out: string[] = [];
  out.push(
    `## 💰 Average run: ${fmtUsd(s.per_run.mean_cost_usd)} → ${fmtUsd(p.usd)} (${fmtSignedPct(p.usdChange)}), ${fmtTokens(s.per_run.mean_total_tokens)} → ${fmtTokens(p.tokens)} tokens (${fmtSignedPct(p.tokensChange)})`,
    '',
  );
  out.push(`From ${s.runs.count} runs between ${s.window.since} and ${s.window.until}. Every figure is computed from telemetry by code.`, '');
  out.push('| Key | Current | Proposed | Evidence | Expected effect per run | Confidence |', '|---|---|---|---|---|---|');
  for (const c of b.changes) {
    const evidence = Object.entries(c.evidence)
      .slice(0, 4)
      .map(([k, v]) => `${k} ${v === null ? 'n/a' : typeof v === 'number' ? +v.toPrecision(4) : v}`)
      .join(', ');
    out.push(`| \`${mdCode(b.keyOf(c))}\` | ${cell(fmtValue(c.from))} | **${cell(fmtValue(c.to))}**${c.pilot ? ' (pilot)' : ''} | ${cell(evidence)} | ${effectText(c)} | ${c.confidence} |`);
  }
  out.push('', '<details><summary>Full report</summary>', '');
  const marker = `<!-- tokentune:proposal=${b.hash} -->`;
  const head = out.join('\n');
  const room = BODY_LIMIT - head.length - marker.length - 200;
  const report = b.report.length > room ? `${b.report.slice(0, Math.max(0, room))}\n\n… (report cut to fit a PR body; the full report is in the run's output)` : b.report;
  return `${head}\n${report}\n\n</details>\n\n${marker}\n`;
}
