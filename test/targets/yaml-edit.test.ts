import { describe, expect, it } from 'vitest';
import { createTwoFilesPatch } from 'diff';
import { applyEdits, EditError, groupThousands } from '../../src/targets/edit/yaml.js';

const STRATEGY = `# Strategy engine configuration.

category_defaults:
  docs:
    incident_token_cap: 400_000   # keep this comment
    ci_profile: "ci_standard"
    model_complexity: LOW

  tests:
    incident_token_cap: 300000
    ci_profile: 'ci_minimal'

run_budget:
  core_build_tokens: 5_000_000
`;

const changedLines = (a: string, b: string) =>
  createTwoFilesPatch('a', 'b', a, b, '', '', { context: 0 })
    .split('\n')
    .filter((l) => /^[+-][^+-]/.test(l));

describe('applyEdits', () => {
  it('changes one value as a one-line diff, keeping comments and the underscore style', () => {
    const out = applyEdits(STRATEGY, [{ path: ['category_defaults', 'docs', 'incident_token_cap'], value: 350_000 }], 't.yaml');
    expect(changedLines(STRATEGY, out)).toEqual([
      '-    incident_token_cap: 400_000   # keep this comment',
      '+    incident_token_cap: 350_000   # keep this comment',
    ]);
  });

  it('writes plain numbers where the file used plain numbers', () => {
    const out = applyEdits(STRATEGY, [{ path: ['category_defaults', 'tests', 'incident_token_cap'], value: 250_000 }], 't.yaml');
    expect(out).toContain('    incident_token_cap: 250000\n');
  });

  it('keeps the quoting style of strings', () => {
    const out = applyEdits(
      STRATEGY,
      [
        { path: ['category_defaults', 'docs', 'ci_profile'], value: 'ci_minimal' },
        { path: ['category_defaults', 'tests', 'ci_profile'], value: 'ci_standard' },
      ],
      't.yaml',
    );
    expect(out).toContain('    ci_profile: "ci_minimal"\n');
    expect(out).toContain("    ci_profile: 'ci_standard'\n");
    expect(changedLines(STRATEGY, out)).toHaveLength(4);
  });

  it('inserts a missing key as one line, before a trailing `default` and indented like its siblings', () => {
    const models = 'LOW:\n  default: claude-sonnet-4-5  # fallback\n\nHIGH:\n  default: claude-opus-4-5\n';
    const out = applyEdits(models, [{ path: ['LOW', 'docs'], value: 'claude-haiku-4-5' }], 'm.yaml');
    expect(out).toBe('LOW:\n  docs: claude-haiku-4-5\n  default: claude-sonnet-4-5  # fallback\n\nHIGH:\n  default: claude-opus-4-5\n');
    const again = applyEdits(out, [{ path: ['LOW', 'tests'], value: 'claude-haiku-4-5' }], 'm.yaml');
    expect(again).toContain('  docs: claude-haiku-4-5\n  tests: claude-haiku-4-5\n  default:');
  });

  it('inserts after the last category entry when there is one', () => {
    const models = 'HIGH:\n  default: a\n  schema: b   # risky\n# next section\nLOW:\n  default: c\n';
    const out = applyEdits(models, [{ path: ['HIGH', 'ext'], value: 'd' }], 'm.yaml');
    expect(out).toBe('HIGH:\n  default: a\n  schema: b   # risky\n  ext: d\n# next section\nLOW:\n  default: c\n');
  });

  it('refuses what it cannot do cleanly, naming the file and key', () => {
    expect(() => applyEdits('a: {b: 1}\n', [{ path: ['a', 'c'], value: 2 }], 'f.yaml')).toThrow(/f\.yaml: a: no block mapping/);
    expect(() => applyEdits('a:\n  b: [1, 2]\n', [{ path: ['a', 'b'], value: 2 }], 'f.yaml')).toThrow(EditError);
    expect(() => applyEdits('a: 1\n', [{ path: ['a'], value: 1.5 }], 'f.yaml')).toThrow(/non-integer/);
    expect(() => applyEdits('a: [\n', [{ path: ['a'], value: 1 }], 'f.yaml')).toThrow(/not valid YAML/);
  });

  it('quotes strings that would not read back as the same string', () => {
    const out = applyEdits('a: x\n', [{ path: ['a'], value: 'yes' }], 'f.yaml');
    expect(out).toBe('a: "yes"\n');
  });

  it('groups thousands', () => {
    expect(groupThousands(1_000_000)).toBe('1_000_000');
    expect(groupThousands(999)).toBe('999');
    expect(groupThousands(12_345)).toBe('12_345');
  });
});
