import { fmtTokens, fmtUsd, plural, termText } from '../common/index.js';
import type { WasteReport } from '../waste/index.js';

const NAMES = {
  narration: 'Narration-only calls',
  thinking_only: 'Thinking-only calls',
  rereads: 'Files read again and again',
  polling: 'Polling loops',
  carried_results: 'Large results carried in context',
  heavy_start: 'Heavy fixed start',
  no_edit_sessions: 'Sessions that changed nothing',
} as const;

/**
 * The waste found, as Markdown (the weekly report's section and `tune report waste`): a table of
 * kinds with their cost and the saving if followed, then each kind's advice and its largest cases.
 * `clean` passes each piece of transcript-derived text (paths, commands) through the caller's escaping.
 */
export function wasteMarkdown(r: WasteReport, clean: (s: string) => string = termText): string {
  const out: string[] = [];
  out.push(`Read ${plural(r.files, 'transcript')}: ${plural(r.calls, 'call')}, ${fmtTokens(r.tokens)} tokens, ${fmtUsd(r.usd)}.`, '');
  if (!r.findings.length) out.push('No waste found by the detectors.', '');
  else {
    out.push('| Waste | Cases | Calls | Tokens | Cost | Sessions | Saving if followed |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const f of r.findings) out.push(`| ${NAMES[f.kind]} | ${f.occurrences} | ${f.calls} | ${fmtTokens(f.tokens)} | ${fmtUsd(f.usd)} | ${f.sessions} | ${fmtUsd(f.saving_usd)} |`);
    const total = r.findings.reduce((a, f) => a + f.saving_usd, 0);
    out.push('', `Together up to ${fmtUsd(total)} (${r.usd ? ((100 * total) / r.usd).toFixed(1) : '0'}% of the spend read); kinds can overlap (a narration call may also be a re-read).`, '');
    for (const f of r.findings) {
      out.push(`**${NAMES[f.kind]}**: ${f.recommendation}.`);
      for (const x of f.top)
        out.push(`- ${clean(x.what)}: ${plural(x.calls, 'call')}, ${fmtTokens(x.tokens)} tokens, ${fmtUsd(x.usd)} (session ${clean(x.session ?? x.file)}${x.step ? `, step ${clean(x.step)}` : ''})`);
      const steps = Object.entries(f.by_step).sort((a, b) => b[1] - a[1]);
      if (steps.length) out.push(`- by step: ${steps.map(([s, usd]) => `${clean(s)} ${fmtUsd(usd)}`).join(', ')}`);
      out.push('');
    }
  }
  const o = r.orchestrator;
  if (o) {
    out.push(
      `**Orchestrators**: ${plural(o.sessions, 'main conversation')} that dispatched subagents cost ${fmtUsd(o.usd)} themselves (${plural(o.calls, 'call')}, ${fmtTokens(o.tokens)} tokens), beside what their subagents cost. By the subagent type they dispatched:`,
      '',
      '| Dispatched type | Dispatches | Orchestrator cost |',
      '|---|---:|---:|',
    );
    for (const x of o.by_type) out.push(`| ${clean(x.type)} | ${x.dispatches} | ${fmtUsd(x.usd)} |`);
    out.push('');
  }
  return out.join('\n');
}
