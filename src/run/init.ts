import { execFileSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, readSync, closeSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../common/index.js';
import { BUNDLED_PRICES, BUNDLED_RETIREMENTS } from '../pricing/index.js';
import { autoskillitRoots, claudeCodeRoots, codexRoots, formatOf, parseTokentuneLine } from '../sources/index.js';

/**
 * `tune init`: what a repository holds that tokentune can read and tune, found by looking at the
 * files themselves (a JSONL whose lines are export records, a SQLite database with Autopack's or
 * Myco's tables, a models.yaml of a known shape), written as a commented `tokentune.yaml`. What was
 * found is said so in the file, and what was guessed too.
 */

export interface Found {
  sources: { path?: string; format: string; why: string; guessed?: boolean }[];
  targets: { path: string; preset: string; why: string }[];
  publish: { git: boolean; remote?: string; repository?: string; why: string[] };
  /** Models the targets name that the default ladders do not hold. */
  offLadder: string[];
}

/** Directories never looked into: dependencies, build output, version control. */
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', 'out', '.venv', 'venv', '__pycache__', 'target', '.cache', '.next', 'coverage']);
const MAX_DEPTH = 5;
const MAX_FILES = 5000;
const DEFAULT_LADDER = ['claude-haiku-4-5', 'claude-sonnet-5-5', 'claude-opus-5-5', 'gpt-4o-mini', 'gpt-4o'];

export const CONFIG_NAME = 'tokentune.yaml';

function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) visit(join(dir, e.name), depth + 1);
      } else if (e.isFile() && out.length < MAX_FILES) out.push(join(dir, e.name));
    }
  };
  visit(root, 0);
  return out;
}

/** The first line of a file, read from its first 64 KiB. */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65_536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return (
      buf
        .subarray(0, n)
        .toString('utf8')
        .split('\n')
        .find((l) => l.trim()) ?? ''
    );
  } finally {
    closeSync(fd);
  }
}

const isExportLine = (line: string): boolean => {
  const r = parseTokentuneLine(line);
  return 'records' in r && r.records.length > 0;
};

function yamlOf(path: string): unknown {
  try {
    return parseYaml(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Model ids a document names as values (strings that look like model ids). */
function modelsIn(v: unknown, out: Set<string>): void {
  if (typeof v === 'string' && /^(claude|gpt|o\d|gemini)[\w.:-]*$/.test(v)) out.add(v);
  else if (Array.isArray(v)) v.forEach((x) => modelsIn(x, out));
  else if (isMap(v)) Object.values(v).forEach((x) => modelsIn(x, out));
}

export function discover(root: string, env: NodeJS.ProcessEnv): Found {
  const found: Found = { sources: [], targets: [], publish: { git: false, why: [] }, offLadder: [] };
  const rel = (p: string) => relative(root, p) || '.';
  const jsonlDirs = new Set<string>();
  const models = new Set<string>();
  for (const file of walk(root)) {
    const name = file.slice(file.lastIndexOf(sep) + 1);
    if (name.endsWith('.jsonl')) {
      const dir = dirname(file);
      if (!jsonlDirs.has(dir) && isExportLine(firstLine(file))) {
        jsonlDirs.add(dir);
        found.sources.push({ path: rel(dir), format: 'tokentune-jsonl', why: `its ${name} holds tokentune export records` });
      }
    } else if (/\.(db|sqlite)$/.test(name)) {
      // By the tables each database format declares it reads.
      const fits = formatOf(file, '');
      if (fits) found.sources.push({ path: rel(file), format: fits.format, why: `a SQLite database: ${fits.evidence}` });
    } else if (/\.ya?ml$/.test(name)) {
      const doc = yamlOf(file);
      if (!isMap(doc)) continue;
      let preset: string | undefined;
      let why = '';
      if (['LOW', 'MODERATE', 'HIGH'].some((k) => isMap(doc[k]))) [preset, why] = ['seed-models', 'models per complexity (LOW, MODERATE, HIGH)'];
      else if (isMap(doc['category_defaults'])) [preset, why] = ['seed-strategy', 'category_defaults with caps and CI profiles'];
      else if (isMap(doc['complexity_models']) || isMap(doc['llm_routing_policies'])) [preset, why] = ['autopack', "Autopack's complexity_models and routing policies"];
      else if (isMap(doc['agent']) && isMap((doc['agent'] as Record<string, unknown>)['tasks'])) [preset, why] = ['myco', "Myco's agent.tasks"];
      else if (isMap(doc['steps']) && Object.values(doc['steps'] as Record<string, unknown>).some((x) => isMap(x) && (x as Record<string, unknown>)['tool'] === 'run_skill'))
        [preset, why] = ['autoskillit', "an AutoSkillit recipe's run_skill steps"];
      else if (name === 'defaults.yaml' && isMap(doc['model']) && 'default' in (doc['model'] as Record<string, unknown>)) [preset, why] = ['autoskillit', "AutoSkillit's default model"];
      if (preset) {
        found.targets.push({ path: rel(file), preset, why });
        modelsIn(doc, models);
      }
    } else if (name.endsWith('.md') && /(?:^|[\\/])agents$/.test(dirname(file)) && /^---\r?\n/.test(readFileSync(file, 'utf8').slice(0, 8))) {
      // A Claude Code subagent (.claude/agents/<name>.md, or a plugin's agents/): its front matter's model.
      found.targets.push({ path: rel(file), preset: 'claude-agents', why: 'a Claude Code subagent with YAML front matter' });
    } else if (/^project_ruleset_.+\.json$/.test(name)) {
      found.targets.push({ path: rel(file), preset: 'autopack', why: "Autopack's project ruleset" });
    } else if (name.endsWith('.json') && !name.endsWith('.schema.json') && name !== 'package.json' && name !== 'package-lock.json' && !name.startsWith('tsconfig')) {
      try {
        const doc = parseJsonc(readFileSync(file, 'utf8')) as unknown;
        const list = Array.isArray(doc) ? doc : isMap(doc) ? doc['records'] : undefined;
        if (Array.isArray(list) && list.length && list.every((x) => isMap(x) && typeof x['type'] === 'string' && isExportLine(JSON.stringify(x)))) {
          found.sources.push({ path: rel(file), format: 'tokentune-json', why: 'a JSON document of tokentune export records' });
        }
      } catch {
        // Not JSON: not ours.
      }
    }
  }
  const claude = claudeCodeRoots(env).roots;
  if (claude.length) found.sources.push({ format: 'claude-code', why: `Claude Code transcripts in ${claude.join(', ')}`, guessed: found.sources.length > 0 });
  const codex = codexRoots(env).roots;
  if (codex.length) found.sources.push({ format: 'codex', why: `Codex CLI sessions in ${codex.join(', ')}`, guessed: found.sources.length > 0 });
  const autoskillit = autoskillitRoots(env).roots;
  if (autoskillit.length) found.sources.push({ format: 'autoskillit', why: `AutoSkillit session logs in ${autoskillit.join(', ')}`, guessed: found.sources.length > 0 });
  found.offLadder = [...models].filter((m) => !DEFAULT_LADDER.includes(m)).sort();

  // Publishing: the repository's remote, and GitHub's owner/name from its URL.
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  found.publish.git = git('rev-parse', '--is-inside-work-tree') === 'true';
  const remotes = git('remote').split('\n').filter(Boolean);
  const remote = remotes.includes('origin') ? 'origin' : remotes[0];
  if (remote) {
    found.publish.remote = remote;
    found.publish.why.push(`found: the git remote ${remote}`);
    const url = git('remote', 'get-url', remote);
    const gh = /github\.com[:/]([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(url);
    if (gh) {
      found.publish.repository = `${gh[1]}/${gh[2]}`;
      found.publish.why.push(`found: GitHub repository ${found.publish.repository} from ${remote}'s URL`);
    }
  } else {
    const branch = git('symbolic-ref', '--quiet', '--short', 'HEAD');
    if (branch) found.publish.why.push(`no git remote: the proposal branch stays local, made from ${branch}`);
    else found.publish.why.push('not a git repository: proposals are printed and recorded, not committed');
  }
  return found;
}

const q = (s: string): string => (/^[\w./-]+$/.test(s) ? s : JSON.stringify(s));

/** Suggested ladders holding the models found and the default ones of their providers, cheapest first. */
function ladders(models: readonly string[]): string[] {
  const byFamily = new Map<string, { model: string; price: number }[]>();
  for (const model of new Set([...DEFAULT_LADDER, ...models])) {
    const p = BUNDLED_PRICES[model];
    if (!p) continue;
    const family = p.litellm_provider;
    const list = byFamily.get(family) ?? byFamily.set(family, []).get(family)!;
    list.push({ model, price: p.input_cost_per_token + p.output_cost_per_token });
  }
  return [...byFamily.entries()]
    .filter(([, l]) => l.some((x) => models.includes(x.model)))
    .map(
      ([family, l]) =>
        `${family}: [${l
          .sort((a, b) => a.price - b.price || a.model.localeCompare(b.model))
          .map((x) => x.model)
          .join(', ')}]`,
    );
}

/** The commented tokentune.yaml for what was found. */
export function renderConfig(root: string, found: Found, schemaPath: string | undefined): string {
  const out: string[] = [];
  if (schemaPath) out.push(`# yaml-language-server: $schema=${schemaPath}`);
  out.push(
    `# tokentune config, written by \`tune init\` in ${root}.`,
    '# "found" marks what was read from the files here; "guessed" what was assumed: check those.',
    "# Every key and its default: tokentune's docs/CONFIG.md; an editor reading the schema above completes and checks them.",
    'version: 1',
    `project: ${q(root.split(sep).filter(Boolean).at(-1) ?? 'project')}`,
    '',
    'sources:',
  );
  if (!found.sources.length) out.push('  # nothing found: name the telemetry here, e.g.', '  - path: telemetry/', '    format: tokentune-jsonl');
  for (const s of found.sources) {
    const c = s.guessed ? '# ' : '';
    out.push(`  # ${s.guessed ? 'guessed' : 'found'}: ${s.why}${s.guessed ? '; uncomment to include it' : ''}`);
    out.push(s.path !== undefined ? `  ${c}- path: ${q(s.path)}` : `  ${c}- format: ${s.format}`);
    if (s.path !== undefined) out.push(`  ${c}  format: ${s.format}`);
  }
  out.push('', 'targets:');
  if (!found.targets.length) out.push('  # nothing found: name the config files to tune, e.g.', '  # - {path: config/models.yaml, preset: seed-models}', '  []');
  for (const t of found.targets) out.push(`  # found: ${t.why}`, `  - path: ${q(t.path)}`, `    preset: ${t.preset}`);
  out.push('');
  // A retiring model is migrated by the first proposal, never suggested as a rung.
  const retiring = found.offLadder.filter((m) => BUNDLED_RETIREMENTS[m]);
  for (const m of retiring) out.push(`# found: the targets name ${m}, which retires on ${BUNDLED_RETIREMENTS[m]!.retires}: the first proposal moves it to ${BUNDLED_RETIREMENTS[m]!.successor}.`);
  const offLadder = found.offLadder.filter((m) => !BUNDLED_RETIREMENTS[m]);
  if (retiring.length) out.push('');
  if (offLadder.length) {
    out.push(
      `# found: the targets name ${offLadder.join(', ')}, on no default ladder. For tokentune to step`,
      "# a model up or down, put it on its provider's ladder, cheapest first (every rung priced), e.g.:",
      '# models:',
      '#   ladders:',
      ...ladders(offLadder).map((l) => `#     ${l}`),
      '',
    );
  }
  out.push('# The LLM step runs when ANTHROPIC_API_KEY is set; its spend is capped per month.', 'llm:', '  monthly_budget_usd: 20 # guessed: a ceiling to start from', '', 'publish:');
  for (const w of found.publish.why) out.push(`  # ${w}`);
  out.push(`  enabled: ${found.publish.git}`);
  if (found.publish.remote) out.push(`  remote: ${q(found.publish.remote)}`);
  if (found.publish.repository) out.push('  github:', `    repository: ${q(found.publish.repository)}`, '    # reviewers: [build-lead] # who reviews the weekly PR');
  return `${out.join('\n')}\n`;
}

/** Writes tokentune.yaml in `root` for what is there; never over an existing config. */
export function initConfig(root: string, env: NodeJS.ProcessEnv, schemaFile: string): { file: string; found: Found } {
  for (const name of [CONFIG_NAME, `.${CONFIG_NAME}`]) {
    if (existsSync(join(root, name))) throw new ConfigError(`${join(root, name)} exists; tune init never overwrites a config: edit it, or remove it to start again`);
  }
  if (!statSync(root).isDirectory()) throw new ConfigError(`${root} is not a directory`);
  const found = discover(root, env);
  const schema = existsSync(schemaFile) ? relative(root, schemaFile).split(sep).join('/') : undefined;
  const file = join(root, CONFIG_NAME);
  writeFileSync(file, renderConfig(root, found, schema && !schema.startsWith('/') ? schema : undefined), { flag: 'wx' });
  return { file, found };
}
