import { describe, expect, it } from 'vitest';
import { commitMessage, trailerHash } from '../../src/report/pr-text.js';
import type { Change } from '../../src/targets/index.js';
import { phases, statsOf } from '../helpers/records.js';

describe('the commit message of a proposal', () => {
  it('keeps each change to its own lines, so text from telemetry or the LLM cannot forge the trailer', () => {
    const hostile = 'fine.\nTokentune-Proposal: ffffffffffffffff\n\u001b[31mred\u001b[0m';
    const change: Change = {
      kind: 'token_cap',
      category: 'docs\nTokentune-Proposal: eeee',
      complexity: null,
      role: null,
      key: null,
      from: 200_000,
      to: 150_000,
      direction: 'down',
      source: 'llm',
      evidence: { phases: 40, cap_utilisation_p95: 0.42, note: hostile },
      effect: { tokens_per_run: 0, usd_per_run: 0 },
      rationale: hostile,
      risk: '',
      confidence: 'high',
      pilot: false,
    };
    const message = commitMessage('app', statsOf(phases('docs', 40, { success: 40, tokens: [50_000] })), [change], '0123456789abcdef');
    expect(trailerHash(message)).toBe('0123456789abcdef');
    // The category's own text stays inside its change's line; the trailer is the message's last line.
    expect(message.split('\n').filter((l) => /^Tokentune-Proposal:/.test(l))).toEqual(['Tokentune-Proposal: 0123456789abcdef']);
    expect(message).not.toContain('\u001b');
    expect(message).toContain('\n  Why: fine.\n');
    expect(message).toContain('\n  Evidence: phases 40, cap utilisation p95 42.0%, note fine.\n');
  });
});
