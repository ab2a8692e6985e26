import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCached } from '../../src/cli/code-cache.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const BUNDLE = join(ROOT, 'dist/bundle/ingest-work.cjs');

describe('the code caches of the early read worker and of tune check', () => {
  it('are made by the build for this Node, and V8 takes them', () => {
    const m = loadCached(BUNDLE);
    expect(m.cacheRejected).toBe(false);
    expect(typeof m.exports['work']).toBe('function');
    const check = loadCached(join(ROOT, 'dist/bundle/check.cjs'));
    expect(check.cacheRejected).toBe(false);
    expect(typeof check.exports['runCheckCommand']).toBe('function');
  });

  it('is ignored when missing, stale or garbage: the bundle still runs', async () => {
    const dir = await tempDir('tokentune-code-cache-');
    const bundle = join(dir, 'ingest-work.cjs');
    copyFileSync(BUNDLE, bundle);
    const none = loadCached(bundle);
    expect(none.cacheRejected).toBeUndefined();
    expect(typeof none.exports['work']).toBe('function');

    writeFileSync(`${bundle}.cache`, 'not a code cache');
    const garbage = loadCached(bundle);
    expect(garbage.cacheRejected).toBe(true);
    expect(typeof garbage.exports['work']).toBe('function');

    // saveCache writes one that the next load takes.
    garbage.saveCache();
    expect(readFileSync(`${bundle}.cache`).length).toBeGreaterThan(1000);
    expect(loadCached(bundle).cacheRejected).toBe(false);

    // A rebuilt bundle of the same length: V8 alone would take the old bytecode (it checks only the
    // source's length); the hash in the cache file stops it.
    const text = readFileSync(bundle, 'utf8');
    writeFileSync(bundle, text.replace('must be a number', 'must be a numbeR'));
    expect(readFileSync(bundle, 'utf8').length).toBe(text.length);
    const stale = loadCached(bundle);
    expect(stale.cacheRejected).toBe(true);
    expect(typeof stale.exports['work']).toBe('function');
  });
});
