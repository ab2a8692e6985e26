import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs a CommonJS bundle compiled with V8's code cache: the bytecode V8 compiled when the build ran
 * the bundle once (scripts/build-launcher.mjs), so this run neither parses nor compiles what it
 * runs. Node 20 has no code cache for ES modules or for require(), hence the vm.Script.
 *
 * V8 rejects a cache made by another V8 or with other flags, but it knows a source only by its
 * length: a cache left from an earlier build of a bundle of the same length would be taken. So the
 * cache file starts with the SHA-1 of the source it was made from, and is used only for that source.
 * A missing, stale or refused cache costs speed, never correctness: the bundle is compiled as usual.
 */
export interface CachedModule {
  exports: Record<string, unknown>;
  /** A cache file was there but not used (made from another source, or refused by V8); undefined: none. */
  cacheRejected: boolean | undefined;
  /** Writes the cache for the next runs (the build does, after running the bundle). */
  saveCache(): void;
}

const HASH_BYTES = 20;

export function loadCached(file: string): CachedModule {
  const cacheFile = `${file}.cache`;
  const text = readFileSync(file, 'utf8');
  const hash = createHash('sha1').update(text).digest();
  let cache: Buffer | undefined;
  try {
    cache = readFileSync(cacheFile);
  } catch {
    // no cache: compiled from source
  }
  const matches = !!cache && cache.length > HASH_BYTES && hash.equals(cache.subarray(0, HASH_BYTES));
  // The wrapper Node itself puts around a CommonJS file.
  const source = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
  const script = new Script(source, { filename: file, cachedData: matches ? cache!.subarray(HASH_BYTES) : undefined });
  const module = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cacheRejected: cache ? !matches || script.cachedDataRejected === true : undefined,
    saveCache: () => writeFileSync(cacheFile, Buffer.concat([hash, script.createCachedData()])),
  };
}
