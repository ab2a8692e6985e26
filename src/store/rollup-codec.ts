import { RUN_FIELDS, runSummaries } from './sealed-runs.js';
import { callKey, emptyRollups, phaseKey, tierKey, type CallBucket, type PhaseBucket, type Rollups, type RunSummary, type TierDay } from './rollup.js';

/**
 * The JSON rollups of state format 1, kept to read (migrate) such a state. Rollups on disk, packed: each bucket's token values as base64 of a Uint32Array (Float64Array when a
 * value does not fit), and the per-run summaries as one list of ids plus one packed block of numbers.
 * A history of millions of phases and hundreds of thousands of runs then parses and serialises in
 * tens of milliseconds instead of seconds, and takes a fraction of the memory.
 */
export interface EncodedRollups {
  max_ts: number;
  records: number;
  phases: (Omit<PhaseBucket, 'tokens'> & { tokens: string })[];
  calls: CallBucket[];
  runs: { ids: string[]; numbers: string };
  tiers: TierDay[];
}


export function encodeRollups(r: Rollups): EncodedRollups {
  const all = runSummaries(r);
  const ids: string[] = [];
  const numbers = new Float64Array(all.length * RUN_FIELDS.length);
  let i = 0;
  for (const s of all) {
    ids.push(s.run_id);
    for (const f of RUN_FIELDS) numbers[i++] = s[f];
  }
  return {
    max_ts: r.max_ts,
    records: r.records,
    phases: [...r.phases.values()].map((b) => ({ ...b, tokens: packValues(b.tokens) })),
    calls: [...r.calls.values()],
    runs: { ids, numbers: Buffer.from(numbers.buffer).toString('base64') },
    tiers: [...r.tiers.values()],
  };
}

export function decodeRollups(e: EncodedRollups): Rollups {
  const r = emptyRollups();
  r.max_ts = e.max_ts;
  r.records = e.records;
  for (const b of e.phases) r.phases.set(phaseKey(b.day, b.category, b.complexity, b.model), { ...b, tokens: unpackValues(b.tokens) });
  for (const b of e.calls) r.calls.set(callKey(b.day, b.model, b.role), b);
  const bytes = Buffer.from(e.runs.numbers, 'base64');
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  const numbers = new Float64Array(aligned.buffer);
  e.runs.ids.forEach((run_id, k) => {
    const s = { run_id } as RunSummary;
    RUN_FIELDS.forEach((f, j) => (s[f] = numbers[k * RUN_FIELDS.length + j]!));
    r.runs.set(run_id, s);
  });
  for (const t of e.tiers) r.tiers.set(tierKey(t.day, t.tier_id), t);
  return r;
}

/** Token values as `u32:<base64>`, or `f64:<base64>` when one does not fit in 32 bits. */
function packValues(values: ArrayLike<number>): string {
  let fits = true;
  for (let i = 0; i < values.length && fits; i++) fits = values[i]! <= 0xffffffff;
  if (fits) return `u32:${Buffer.from(Uint32Array.from(values).buffer).toString('base64')}`;
  return `f64:${Buffer.from(Float64Array.from(values).buffer).toString('base64')}`;
}

function unpackValues(packed: string): Uint32Array | Float64Array {
  const bytes = Buffer.from(packed.slice(4), 'base64');
  // Copy into an aligned buffer: base64 decoding gives no alignment guarantee.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return packed.startsWith('u32:') ? new Uint32Array(aligned.buffer) : new Float64Array(aligned.buffer);
}
