import { describe, expect, it } from 'vitest';
import { changedLines } from '../helpers/diff.js';
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

describe('applyEdits', () => {
  it('changes one value as a one-line diff, keeping comments and the underscore style', () => {
    const out = applyEdits(STRATEGY, [{ path: ['category_defaults', 'docs', 'incident_token_cap'], value: 350_000 }], 't.yaml');
    expect(changedLines(STRATEGY, out)).toEqual(['-    incident_token_cap: 400_000   # keep this comment', '+    incident_token_cap: 350_000   # keep this comment']);
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

describe('YAML that shares nodes', () => {
  const SHARED = `defaults: &base
  incident_token_cap: 400_000
  ci_profile: ci_standard

category_defaults:
  docs: *base
  tests:
    <<: *base
    ci_profile: ci_minimal
  build:
    incident_token_cap: &big 900_000
  deploy:
    incident_token_cap: *big
  lint:
    incident_token_cap: 100_000
`;

  it('refuses an edit under an anchor or through an alias, naming them; writes nothing', () => {
    const edit =
      (...path: string[]) =>
      () =>
        applyEdits(SHARED, [{ path, value: 350_000 }], 't.yaml');
    expect(edit('defaults', 'incident_token_cap')).toThrow('t.yaml: defaults.incident_token_cap: defaults is the anchor &base, repeated by 2 aliases *base');
    expect(edit('category_defaults', 'docs', 'incident_token_cap')).toThrow('category_defaults.docs is the alias *base');
    expect(edit('category_defaults', 'build', 'incident_token_cap')).toThrow('its value is the anchor &big, repeated by 1 alias *big');
    expect(edit('category_defaults', 'deploy', 'incident_token_cap')).toThrow('its value is the alias *big');
    expect(edit('category_defaults', 'docs')).toThrow(EditError);
    // a value a mapping merges in with << is overridden in that mapping alone, one added line
    const merged = applyEdits(SHARED, [{ path: ['category_defaults', 'tests', 'incident_token_cap'], value: 350_000 }], 't.yaml');
    expect(changedLines(SHARED, merged)).toEqual(['+    incident_token_cap: 350000']);
    // a value that shares nothing is edited as usual, in a file that has shared ones
    const out = applyEdits(SHARED, [{ path: ['category_defaults', 'lint', 'incident_token_cap'], value: 80_000 }], 't.yaml');
    expect(changedLines(SHARED, out)).toEqual(['-    incident_token_cap: 100_000', '+    incident_token_cap: 80_000']);
  });

  it('keeps CRLF line ends, in an edited line and an added one', () => {
    const crlf = STRATEGY.replace(/\n/g, '\r\n');
    const out = applyEdits(
      crlf,
      [
        { path: ['category_defaults', 'docs', 'incident_token_cap'], value: 350_000 },
        { path: ['run_budget', 'aux_agent_tokens'], value: 600_000 },
      ],
      't.yaml',
    );
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out).toContain('    incident_token_cap: 350_000   # keep this comment\r\n');
    expect(out).toContain('  aux_agent_tokens: 600000\r\n');
  });
});
