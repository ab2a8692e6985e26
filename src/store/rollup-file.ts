import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { mergeSealed, RUN_FIELDS, sealRuns } from './sealed-runs.js';
import { callKey, emptyRollups, packTokens, phaseKey, tierKey, type CallBucket, type PhaseBucket, type Rollups, type TierDay } from './rollup.js';
import { isSorted } from '../stats/percentiles.js';

/**
 * The rollups of every source file in one binary file: a JSON header with the small parts (bucket
 * fields, calls, tiers) and, after it, raw 8-byte-aligned sections with the large ones (every phase's
 * token count, the per-run numbers, the run ids). Written section by section — never one giant string
 * — and read back as typed-array views of the file's bytes, without a parse of the values.
 *
 * Layout: "TTROLL2\n", u32 header length, header JSON, padding to 8, sections.
 */

const MAGIC = Buffer.from('TTROLL2\n');

interface Section {
  offset: number;
  bytes: number;
}
interface FileHeader {
  key: string;
  max_ts: number;
  records: number;
  phases: (Omit<PhaseBucket, 'tokens'> & { tokens: Section & { kind: 'u32' | 'f64' } })[];
  calls: CallBucket[];
  tiers: TierDay[];
  runs: { count: number; ids: Section; numbers: Section };
}

export async function writeRollupsFile(path: string, rollups: Map<string, Rollups>): Promise<void> {
  const sections: Uint8Array[] = [];
  let offset = 0;
  const add = (bytes: Uint8Array): Section => {
    const s = { offset, bytes: bytes.byteLength };
    sections.push(bytes);
    offset += bytes.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      sections.push(new Uint8Array(pad));
      offset += pad;
    }
    return s;
  };
  const files: FileHeader[] = [];
  for (const [key, r] of rollups) {
    const phases = [...r.phases.values()].map((b) => {
      const { tokens, ...rest } = b;
      // Stored packed and sorted (packTokens). A packed list (the usual case) is written as it is, not copied.
      const sorted = Array.isArray(tokens) ? packTokens(tokens) : isSorted(tokens) ? tokens : tokens.slice().sort();
      return { ...rest, tokens: { ...add(bytesOf(sorted)), kind: sorted instanceof Uint32Array ? ('u32' as const) : ('f64' as const) } };
    });
    // Runs are stored sealed: sorted by id, so reading them back needs no object per run.
    const tables = [...(r.sealed ? [r.sealed] : []), ...(r.runs.size ? [sealRuns(r.runs)] : [])];
    const runs = tables.length ? mergeSealed(tables) : { ids: [], numbers: new Float64Array(0) };
    const ids = runs.ids;
    const numbers = runs.numbers;
    files.push({
      key,
      max_ts: r.max_ts,
      records: r.records,
      phases,
      calls: [...r.calls.values()],
      tiers: [...r.tiers.values()],
      runs: { count: ids.length, ids: add(Buffer.from(ids.join('\n'))), numbers: add(bytesOf(numbers)) },
    });
  }
  const header = Buffer.from(JSON.stringify({ version: 2, files }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.byteLength);
  const headPad = (8 - ((MAGIC.byteLength + 4 + header.byteLength) % 8)) % 8;
  const fh = await open(path, 'w', 0o600);
  try {
    for (const part of [MAGIC, length, header, new Uint8Array(headPad), ...sections]) if (part.byteLength) await fh.write(part);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function readRollupsFile(path: string): Promise<Map<string, Rollups>> {
  const buf = readFileSync(path);
  if (buf.byteLength < 12 || !buf.subarray(0, MAGIC.byteLength).equals(MAGIC)) throw new Error('not a tokentune rollups file');
  const headerLength = buf.readUInt32LE(MAGIC.byteLength);
  const headerEnd = MAGIC.byteLength + 4 + headerLength;
  const { files } = JSON.parse(buf.toString('utf8', MAGIC.byteLength + 4, headerEnd)) as { files: FileHeader[] };
  const base = headerEnd + ((8 - (headerEnd % 8)) % 8);
  // Typed-array views need aligned memory: copy once if the file's bytes happen not to be.
  const bytes = (buf.byteOffset + base) % 8 === 0 ? buf : Buffer.from(buf);
  const view = (s: Section) => new Uint8Array(bytes.buffer, bytes.byteOffset + base + s.offset, s.bytes);
  if (base + Math.max(0, ...files.flatMap((f) => [f.runs.numbers.offset + f.runs.numbers.bytes])) > bytes.byteLength) throw new Error('truncated rollups file');
  const out = new Map<string, Rollups>();
  for (const f of files) {
    const r = emptyRollups();
    r.max_ts = f.max_ts;
    r.records = f.records;
    for (const b of f.phases) {
      const v = view(b.tokens);
      const tokens = b.tokens.kind === 'u32' ? new Uint32Array(v.buffer, v.byteOffset, v.byteLength / 4) : new Float64Array(v.buffer, v.byteOffset, v.byteLength / 8);
      // Files written before lists were kept sorted: sorted once here, in place.
      if (!isSorted(tokens)) tokens.sort();
      r.phases.set(phaseKey(b.day, b.category, b.complexity, b.model), { ...b, tokens });
    }
    for (const c of f.calls) r.calls.set(callKey(c.day, c.model, c.role), c);
    for (const t of f.tiers) r.tiers.set(tierKey(t.day, t.tier_id), t);
    if (f.runs.count) {
      const nv = view(f.runs.numbers);
      r.sealed = {
        ids: Buffer.from(view(f.runs.ids)).toString('utf8').split('\n'),
        numbers: new Float64Array(nv.buffer, nv.byteOffset, nv.byteLength / 8),
      };
      if (r.sealed.ids.length * RUN_FIELDS.length !== r.sealed.numbers.length) throw new Error('corrupt run table');
    }
    out.set(f.key, r);
  }
  return out;
}

/** The bytes of a typed array, as a view: exactly its own, even when it is a view of a larger buffer. */
const bytesOf = (a: Uint32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
