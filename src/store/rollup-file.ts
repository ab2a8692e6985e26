import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mergeSealed, RUN_FIELDS, sealRuns, type SealedRuns } from './sealed-runs.js';
import { callKey, emptyRollups, packTokens, phaseKey, tierKey, type CallBucket, type PhaseBucket, type Rollups, type TierDay } from './rollup.js';
import { isSorted } from '../stats/percentiles.js';
import { frameOf, PREFIX_BYTES, SectionWriter, writeParts, type Section } from './sectioned.js';

/**
 * The rollups of every source file in one binary file: a JSON header with the small parts (bucket
 * fields, calls, tiers) and, after it, raw 8-byte-aligned sections with the large ones (every phase's
 * token count, the per-run numbers, the run ids). Written section by section — never one giant string
 * — and read back as typed-array views of the file's bytes, without a parse of the values.
 *
 * Layout: sectioned.ts, with the magic "TTROLL2\n".
 */

const MAGIC = Buffer.from('TTROLL2\n');

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
  const sections = new SectionWriter();
  const files: FileHeader[] = [];
  for (const [key, r] of rollups) {
    const phases = [...r.phases.values()].map((b) => {
      const { tokens, ...rest } = b;
      // Stored packed and sorted (packTokens). A packed list (the usual case) is written as it is, not copied.
      const sorted = Array.isArray(tokens) ? packTokens(tokens) : isSorted(tokens) ? tokens : tokens.slice().sort();
      return { ...rest, tokens: { ...sections.add(sorted), kind: sorted instanceof Uint32Array ? ('u32' as const) : ('f64' as const) } };
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
      runs: { count: ids.length, ids: sections.add(Buffer.from(ids.join('\n'))), numbers: sections.add(numbers) },
    });
  }
  writeParts(path, sections.frame(MAGIC, { version: 2, files }));
}

/**
 * Reads a rollups file: the header and the token lists at once, the run table of each rollup only
 * when something asks for it (sealedRows() counts its rows without loading it). A run whose settled
 * rollups the run index covers never loads them: at 1 GB they are 31 of the 45 MB.
 */
export async function readRollupsFile(path: string): Promise<Map<string, Rollups>> {
  const fd = openSync(path, 'r');
  let files: FileHeader[];
  let base: number;
  let bytes: Buffer;
  try {
    const size = fstatSync(fd).size;
    const frame = frameOf(readAt(fd, 0, Math.min(size, PREFIX_BYTES)), MAGIC, 'tokentune rollups file');
    if (frame.headerEnd > size) throw new Error('truncated rollups file');
    ({ files } = JSON.parse(readAt(fd, frame.headerStart, frame.headerEnd - frame.headerStart).toString('utf8')) as { files: FileHeader[] });
    base = frame.base;
    if (base + Math.max(0, ...files.flatMap((f) => [f.runs.numbers.offset + f.runs.numbers.bytes])) > size) throw new Error('truncated rollups file');
    const tokensEnd = Math.max(0, ...files.flatMap((f) => f.phases.map((b) => b.tokens.offset + b.tokens.bytes)));
    bytes = readAt(fd, base, tokensEnd);
  } finally {
    closeSync(fd);
  }
  const view = (s: Section) => new Uint8Array(bytes.buffer, bytes.byteOffset + s.offset, s.bytes);
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
    if (f.runs.count) r.sealed = lazyRuns(path, base, f.runs);
    out.set(f.key, r);
  }
  return out;
}

/** `length` bytes at `position`, in memory of their own (8-byte aligned, for typed-array views). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.from(new ArrayBuffer(length));
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new Error('truncated rollups file');
    done += n;
  }
  return buf;
}

/** A run table read from the file the first time its ids or numbers are used. */
function lazyRuns(path: string, base: number, runs: FileHeader['runs']): SealedRuns {
  let table: SealedRuns | undefined;
  const load = (): SealedRuns => {
    if (table) return table;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new Error(`${path}: gone while this run read it (another run committed meanwhile); run again (${(e as Error).message})`);
    }
    try {
      const from = Math.min(runs.ids.offset, runs.numbers.offset);
      const buf = readAt(fd, base + from, runs.numbers.offset + runs.numbers.bytes - from);
      const ids = buf.toString('utf8', runs.ids.offset - from, runs.ids.offset - from + runs.ids.bytes).split('\n');
      const numbers = new Float64Array(buf.buffer, buf.byteOffset + runs.numbers.offset - from, runs.numbers.bytes / 8);
      if (ids.length * RUN_FIELDS.length !== numbers.length) throw new Error('corrupt run table');
      table = { ids, numbers };
      return table;
    } finally {
      closeSync(fd);
    }
  };
  return {
    rows: runs.count,
    get ids() {
      return load().ids;
    },
    get numbers() {
      return load().numbers;
    },
  } as SealedRuns;
}
