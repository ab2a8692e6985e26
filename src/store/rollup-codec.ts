import { callKey, emptyRollups, phaseKey, tierKey, type CallBucket, type PhaseBucket, type Rollups, type RunSummary, type TierDay } from './rollup.js';

/**
 * Rollups on disk: plain arrays, with each bucket's token values packed as base64 of a Float64Array
 * (exact for any token count, and far faster to parse than a JSON array of millions of numbers).
 */
export interface EncodedRollups {
  max_ts: number;
  records: number;
  phases: (Omit<PhaseBucket, 'tokens'> & { tokens: string })[];
  calls: CallBucket[];
  runs: RunSummary[];
  tiers: TierDay[];
}

export function encodeRollups(r: Rollups): EncodedRollups {
  return {
    max_ts: r.max_ts,
    records: r.records,
    phases: [...r.phases.values()].map((b) => ({ ...b, tokens: Buffer.from(Float64Array.from(b.tokens).buffer).toString('base64') })),
    calls: [...r.calls.values()],
    runs: [...r.runs.values()],
    tiers: [...r.tiers.values()],
  };
}

export function decodeRollups(e: EncodedRollups): Rollups {
  const r = emptyRollups();
  r.max_ts = e.max_ts;
  r.records = e.records;
  for (const b of e.phases) {
    const bytes = Buffer.from(b.tokens, 'base64');
    const values = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    r.phases.set(phaseKey(b.day, b.category, b.complexity, b.model), { ...b, tokens: Array.from(values) });
  }
  for (const b of e.calls) r.calls.set(callKey(b.day, b.model, b.role), b);
  for (const s of e.runs) r.runs.set(s.run_id, s);
  for (const t of e.tiers) r.tiers.set(tierKey(t.day, t.tier_id), t);
  return r;
}
