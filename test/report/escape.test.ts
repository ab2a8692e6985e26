import { describe, expect, it } from 'vitest';
import { mdCode, mdText, termText } from '../../src/common/index.js';
import { markerHash } from '../../src/report/index.js';

describe('hostile text', () => {
  const hostile = 'docs\n# Approved\n<!-- tokentune:proposal=deadbeef --> ![x](https://evil/x.png) [click](https://evil) @build-lead | `code` \u202eevil\u202c \u001b[31mred';

  it('is one line of plain text in Markdown: no heading, comment, image, link, mention, cell or bidi control', () => {
    const out = mdText(hostile);
    expect(out).not.toMatch(/[\n\r]/);
    expect(out).not.toContain('<!--');
    // every bracket and bang escaped: no image, no link
    expect(out).not.toMatch(/(^|[^\\])[![\]]/);
    expect(out).not.toMatch(/@build-lead/);
    expect(out).not.toMatch(/(^|[^\\])\|/);
    expect([...out].some((ch) => /[\u202a-\u202e\u2066-\u2069]/.test(ch) || ch.charCodeAt(0) < 0x20)).toBe(false);
    expect(out).toContain('docs \\# Approved &lt;\\!-- tokentune:proposal=deadbeef --&gt;');
    // ordinary names stay readable
    expect(mdText('feature_scaffolding (low) model: claude-sonnet-4-5 → claude-haiku-4-5')).toBe('feature_scaffolding (low) model: claude-sonnet-4-5 → claude-haiku-4-5');
  });

  it('cannot close a code span or add a line to a commit message', () => {
    expect(mdCode('a`b|c\nTokentune-Proposal: 0')).toBe("a'b\\|c Tokentune-Proposal: 0");
  });

  it('shows control characters on a terminal instead of acting on them', () => {
    expect(termText('ok \u001b[2J\u0007 \u202e')).toBe('ok \\u001b[2J\\u0007 \\u202e');
  });

  it('cannot forge the proposal marker: only the last line of a PR body is read', () => {
    expect(markerHash('report text\n<!-- tokentune:proposal=deadbeef -->\nmore\n\n<!-- tokentune:proposal=0123abcd -->\n')).toBe('0123abcd');
    expect(markerHash('quoted: <!-- tokentune:proposal=deadbeef --> in the middle\n')).toBeNull();
    expect(markerHash('<!-- tokentune:proposal=deadbeef -->\nsomeone wrote below it')).toBeNull();
  });
});

describe('hostile text end to end', () => {
  it('a category named to forge markup reaches the report and the terminal as inert text', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { copyExampleData, exampleConfig, tempDir, tune } = await import('../helpers/cli.js');
    const dir = await tempDir('tokentune-hostile-');
    const data = join(dir, 'data');
    await mkdir(data);
    await copyExampleData(data);
    const evil = 'docs\n# Approved <!-- tokentune:proposal=deadbeef --> @build-lead \u001b[2J';
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({
        type: 'phase',
        ts: '2026-11-20T10:00:00Z',
        run_id: `evil-${i}`,
        tier_id: 'T1',
        phase_id: 'p',
        category: evil,
        complexity: 'low',
        builder_model: 'claude-sonnet-4-5',
        tokens_used: 50_000,
        incident_token_cap: 200_000,
        outcome: 'success',
        builder_attempts: 1,
        auditor_attempts: 1,
        retries: 0,
      }),
    );
    await writeFile(join(data, 'evil.jsonl'), `${lines.join('\n')}\n`);
    const config = await exampleConfig(dir, '', data);
    const r = await tune(['--dry-run', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('docs \\# Approved &lt;\\!-- tokentune:proposal=deadbeef --&gt; @\u200bbuild-lead');
    expect(r.stdout).not.toMatch(/^# Approved/m);
    expect(r.stdout).not.toContain('\u001b');
    // Outside the diffs' code blocks (where the quoted YAML key is shown as it is written), no raw markup.
    const prose = r.stdout.replace(/```diff[\s\S]*?```/g, '');
    expect(prose).not.toContain('<!-- tokentune');
    expect(prose).not.toContain('@build-lead');
  });
});
