// Makes the code cache of dist/bundle/check.cjs (see src/cli/code-cache.ts): runs `tune check` from
// that bundle over a copy of the example telemetry with a state directory of its own, twice — a first
// read of most of the lines, then, after the rest is appended, an incremental one — so the cache holds
// the bytecode of what both kinds of run compile. Run by build-launcher.mjs in a process of its own:
// it sets XDG_STATE_HOME, and the checks print their result.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCached } from '../dist/cli/code-cache.js';

const at = (p) => new URL(`../${p}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tokentune-cache-'));
try {
  const telemetry = join(dir, 'telemetry');
  const rest = new Map();
  cpSync(at('fixtures/example'), telemetry, { recursive: true });
  for (const f of readdirSync(telemetry).filter((f) => f.endsWith('.jsonl'))) {
    const lines = readFileSync(join(telemetry, f), 'utf8').split(/(?<=\n)/);
    const cut = Math.floor(lines.length * 0.8);
    writeFileSync(join(telemetry, f), lines.slice(0, cut).join(''));
    rest.set(f, lines.slice(cut).join(''));
  }
  const example = readFileSync(at('config/tuner.example.yaml'), 'utf8');
  const config = join(dir, 'tuner.yaml');
  writeFileSync(config, example.replace('path: ../fixtures/example', `path: ${telemetry}`).replaceAll('path: example-target/', `path: ${at('config/example-target')}/`));
  process.env.XDG_STATE_HOME = join(dir, 'state');

  const bundle = loadCached(at('dist/bundle/check.cjs'));
  const check = () => bundle.exports.runCheckCommand({ configPath: config, json: true, exitCode: false, rebuildState: false });
  if ((await check()) !== 0) throw new Error('the first check failed');
  for (const [f, text] of rest) appendFileSync(join(telemetry, f), text);
  if ((await check()) !== 0) throw new Error('the incremental check failed');
  bundle.saveCache();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
