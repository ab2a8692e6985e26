// After tsc, esbuild builds what bin/tune runs:
// - dist/cli/fast.cjs: the no-op check of `tune check` in one CommonJS file (see src/cli/fast.ts);
// - dist/bundle/: the commands (run.js) and the ingest worker as ES module bundles, with zod and yaml
//   inside and shared code in chunks. Node 20's ES module loader pays per file, and the commands load
//   ~90 of ours and zod's: bundled, a run starts ~100 ms sooner. The other dependencies stay in
//   node_modules. dist/bundle sits two levels below the package like tsc's output, so the paths the
//   code builds from import.meta.url (prompts/, package.json, the worker beside ingest) hold in both.
// `node dist/cli/main.js` keeps running tsc's unbundled output.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const at = (p) => new URL(`../${p}`, import.meta.url).pathname;

await build({
  entryPoints: [at('src/cli/fast.ts')],
  outfile: at('dist/cli/fast.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['../bundle/run.js'],
  logLevel: 'warning',
});

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

chmodSync(at('dist/cli/main.js'), 0o755);
