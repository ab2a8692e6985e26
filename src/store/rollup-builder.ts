import type { TelemetryRecord } from '../telemetry/schema.js';
import { addRecord, mergeTokens, packTokens, SEAL_RUNS_AT, type PhaseBucket, type Rollups } from './rollup.js';
import { mergeSealed, sealRuns, type SealedRuns } from './sealed-runs.js';

/**
 * Folds a long stream of records into a rollup without holding it unpacked. Every `sealAt` runs, the
 * run objects are sealed into a table, before many of them reach the old generation; the tables are
 * kept as a stack of sizes that at least halve upwards, the top two merged when they come close, so
 * each run is copied O(log n) times, not once per seal. Token values are packed at the same moments,
 * beside their buckets: a bucket's list of numbers never grows past the values of one stretch, and
 * what is packed takes 4 bytes a value, not 8 or more. finish() leaves runs sealed and lists packed.
 */
export class RollupBuilder {
  private readonly sealed: SealedRuns[];
  private readonly packed = new Map<PhaseBucket, PhaseBucket['tokens']>();

  constructor(
    readonly rollups: Rollups,
    private readonly sealAt = SEAL_RUNS_AT,
  ) {
    this.sealed = rollups.sealed ? [rollups.sealed] : [];
  }

  add(rec: TelemetryRecord): void {
    addRecord(this.rollups, rec);
    if (this.rollups.runs.size >= this.sealAt) {
      this.seal();
      this.pack();
    }
  }

  finish(): Rollups {
    this.seal();
    if (this.sealed.length) this.rollups.sealed = mergeSealed(this.sealed);
    this.pack();
    for (const [b, tokens] of this.packed) b.tokens = tokens;
    this.packed.clear();
    return this.rollups;
  }

  private seal(): void {
    const r = this.rollups;
    if (r.runs.size) this.sealed.push(sealRuns(r.runs));
    r.runs = new Map();
    const s = this.sealed;
    while (s.length >= 2 && s[s.length - 2]!.ids.length <= 2 * s[s.length - 1]!.ids.length) {
      const top = s.pop()!;
      s.push(mergeSealed([s.pop()!, top]));
    }
  }

  private pack(): void {
    for (const b of this.rollups.phases.values()) {
      if (!Array.isArray(b.tokens) || !b.tokens.length) continue;
      const fresh = packTokens(b.tokens);
      const before = this.packed.get(b);
      this.packed.set(b, before ? mergeTokens(before, fresh) : fresh);
      b.tokens = [];
    }
  }
}
