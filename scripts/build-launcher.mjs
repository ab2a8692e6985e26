// After tsc: builds dist/cli/fast.cjs, the launcher's start-up file (see src/cli/fast.ts): the no-op
// check bundled into one CommonJS file, with the commands (run.js) left as tsc wrote them.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/cli/fast.ts', import.meta.url).pathname],
  outfile: new URL('../dist/cli/fast.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['./run.js'],
  logLevel: 'warning',
});
// `node dist/cli/main.js` is the launcher-less entry; executable for those who run it directly.
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
