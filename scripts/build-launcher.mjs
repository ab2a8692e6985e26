// After tsc, esbuild builds what bin/tune runs:
// - dist/cli/fast.cjs: the no-op check of `tune check` in one CommonJS file (see src/cli/fast.ts);
// - dist/bundle/: the commands (run.js) and the ingest worker as ES module bundles, with zod and yaml
//   inside and shared code in chunks. Node 20's ES module loader pays per file, and the commands load
//   ~90 of ours and zod's: bundled, a run starts ~100 ms sooner. The other dependencies stay in
//   node_modules. dist/bundle sits two levels below the package like tsc's output, so the paths the
//   code builds from import.meta.url (prompts/, package.json, the worker beside ingest) hold in both.
// - dist/cli/early-worker.cjs and dist/bundle/ingest-work.cjs: the worker of the early read (see
//   src/cli/early-worker.ts) and the parsing code it runs, as CommonJS, with the V8 code cache made
//   below.
// `node dist/cli/main.js` keeps running tsc's unbundled output.
import { chmodSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';

const at = (p) => new URL(`../${p}`, import.meta.url).pathname;

/** One CommonJS file for Node 20, everything it imports inside but `external`. */
const commonJs = (entry, outfile, external = []) =>
  build({ entryPoints: [at(entry)], outfile: at(outfile), bundle: true, platform: 'node', format: 'cjs', target: 'node20', external, logLevel: 'warning' });

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
}

chmodSync(at('dist/cli/main.js'), 0o755);
