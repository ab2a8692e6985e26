import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// A test that runs the built CLI (bin/tune, dist/) needs `npm run build` first; every other test
// imports the sources and is in the unit lane (`npm run test:unit`), which needs no build.
const all = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test', f));
const runsCli = (text: string) => /\bTUNE\b|\btune\(|bin\/tune|dist\//.test(text);
// Helpers that run it make their tests CLI tests too (cli.ts defines it; importing its tempDir does not).
const cliHelpers = readdirSync('test/helpers')
  .filter((f) => f.endsWith('.ts') && f !== 'cli.ts' && runsCli(readFileSync(join('test/helpers', f), 'utf8')))
  .map((f) => `helpers/${f.replace(/\.ts$/, '.js')}`);
const usesCli = (f: string) => {
  const text = readFileSync(f, 'utf8');
  return runsCli(text) || cliHelpers.some((h) => text.includes(h));
};
const cli = all.filter(usesCli);

export default defineConfig({
  test: {
    // Sized for a busy 2-core machine running two suites at once: a timeout only ends a test that hangs.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: all.filter((f) => !cli.includes(f)) } },
      { extends: true, test: { name: 'cli', include: cli } },
    ],
  },
});
