// After tsc, esbuild builds what bin/tune runs:
// - dist/cli/fast.cjs: the no-op check of `tune check` in one CommonJS file (see src/cli/fast.ts);
// - dist/bundle/: the commands (run.js) and the ingest worker as ES module bundles, with zod and yaml
//   inside and shared code in chunks. Node 20's ES module loader pays per file, and the commands load
//   ~90 of ours and zod's: bundled, a run starts ~100 ms sooner. The other dependencies stay in
//   node_modules. dist/bundle sits two levels below the package like tsc's output, so the paths the
//   code builds from import.meta.url (prompts/, package.json, the worker beside ingest) hold in both.
// - dist/bundle/check.cjs: `tune check` as one CommonJS file, which fast.cjs runs from the V8 code
//   cache made below when its no-op check found new bytes;
// - dist/cli/early-worker.cjs and dist/bundle/ingest-work.cjs: the worker of the early read (see
//   src/cli/early-worker.ts) and the parsing code it runs, as CommonJS, with the V8 code cache made
//   below.
// `node dist/cli/main.js` keeps running tsc's unbundled output.
import { chmodSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';

const at = (p) => new URL(`../${p}`, import.meta.url).pathname;

/**
 * `await import('node:…')` as a require() in CommonJS output. esbuild keeps a dynamic import of a
 * module it does not bundle, and there it would start Node's ES module loader, or, in code run
 * through vm.Script (code-cache.ts), fail: such a script has no dynamic import callback.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
  },
};

/** One CommonJS file for Node 20, everything it imports inside but `external`. */
const commonJs = (entry, outfile, external = [], more = {}) =>
  build({ entryPoints: [at(entry)], outfile: at(outfile), bundle: true, platform: 'node', format: 'cjs', target: 'node20', external, plugins: [builtinsByRequire], logLevel: 'warning', ...more });

await commonJs('src/cli/fast.ts', 'dist/cli/fast.cjs', ['../bundle/run.js']);

rmSync(at('dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: { run: at('src/cli/run.ts'), 'ingest-worker': at('src/telemetry/ingest-worker.ts') },
  outdir: at('dist/bundle'),
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: ['@anthropic-ai/sdk', '@octokit/rest', 'simple-git', 'node-cron', 'handlebars', 'diff'],
  // yaml's Node build is CommonJS and requires Node's modules: give the ES module bundle a require.
  banner: { js: "import { createRequire as __tokentuneCreateRequire } from 'node:module'; const require = __tokentuneCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// `tune check` for fast.cjs. The code reaching import.meta.url (the parallel ingest's worker file)
// gets this file's URL: it sits in dist/bundle like run.js.
await commonJs('src/cli/check.ts', 'dist/bundle/check.cjs', [], {
  define: { 'import.meta.url': '__tokentuneFileUrl' },
  banner: { js: "const __tokentuneFileUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await commonJs('src/cli/early-worker.ts', 'dist/cli/early-worker.cjs');
await commonJs('src/telemetry/ingest-work.ts', 'dist/bundle/ingest-work.cjs');

// The code cache of the early read's worker: the bytecode of what parsing the example telemetry
// compiles, for the Node that built it (another Node rejects it and compiles as usual).
const examples = at('fixtures/example');
if (existsSync(examples)) {
  const ranges = readdirSync(examples)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ file: `${examples}/${f}`, format: 'tokentune-jsonl', start: 0, line: 1, end: undefined }));
  await new Promise((resolve, reject) => {
    const worker = new Worker(at('dist/cli/early-worker.cjs'), { workerData: { ranges, saveCodeCache: true } });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve(undefined) : reject(new Error(`code cache worker exited with ${code}`))));
  });
  // The code cache of check.cjs, made in a process of its own (scripts/check-code-cache.mjs).
  const made = spawnSync(process.execPath, [at('scripts/check-code-cache.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (made.status !== 0) throw new Error(`making the code cache of check.cjs failed (exit ${made.status})`);
}

chmodSync(at('dist/cli/main.js'), 0o755);
