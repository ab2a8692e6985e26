import { startOrder } from '../stats/start-order.js';
import { frameOf, SectionWriter, type Section } from './sectioned.js';
import { eachMergedRun, RUN_FIELDS, type SealedRuns } from './sealed-runs.js';

/**
 * The runs of the settled rollups (every source file's base rollup, not its appended segments),
 * merged across files and put in start order once, when those rollups are written, instead of by
 * every run that reads them. A run that only appended segments computes its run statistics from this
 * index plus the segments' few runs: a window is a slice of it, found by bisection. Kept beside the
 * state as `runs-<generation>.bin`: a cache, rebuilt whenever the settled rollups change.
 *
 * Order: by first_ts, then by id (code-unit order) — the order the statistics use. `byId` lists the
 * rows in id order, so a run is found by bisection over the ids' UTF-8 bytes (findRun).
 */
export interface RunIndex {
  count: number;
  /** One column per INDEX_FIELDS entry, row i of each = the i-th run in start order. */
  columns: Float64Array[];
  /** The ids in start order, UTF-8, each ending where the next starts (`starts` has count + 1 offsets). */
  ids: Uint8Array;
  starts: Uint32Array;
  /** Rows in id order. */
  byId: Uint32Array;
}

/** The run fields the statistics read: all but last_ts. */
export const INDEX_FIELDS = RUN_FIELDS.filter((f) => f !== 'last_ts');
export type IndexField = (typeof INDEX_FIELDS)[number];
export const FIRST_TS = INDEX_FIELDS.indexOf('first_ts');
/** Where each INDEX_FIELDS entry sits in a sealed table's row. */
export const SEALED_AT = INDEX_FIELDS.map((f) => RUN_FIELDS.indexOf(f));

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function buildRunIndex(tables: readonly SealedRuns[]): RunIndex {
  let n = 0;
  const capacity = tables.reduce((s, t) => s + t.ids.length, 0);
  const raw = INDEX_FIELDS.map(() => new Float64Array(capacity));
  const ids: string[] = [];
  eachMergedRun(tables, (id, numbers, offset) => {
    ids.push(id);
    for (let j = 0; j < SEALED_AT.length; j++) raw[j]![n] = numbers[offset + SEALED_AT[j]!]!;
    n++;
  });
  // The merged walk is in id order, and startOrder keeps ties in row order: (first_ts, id).
  const rows = startOrder(raw[FIRST_TS]!.subarray(0, n));
  const columns = raw.map((c) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = c[rows[i]!]!;
    return out;
  });
  const byId = new Uint32Array(n);
  for (let i = 0; i < n; i++) byId[rows[i]!] = i;
  const encoded = rows.length ? encoder.encode(Array.from(rows, (r) => ids[r]!).join('')) : new Uint8Array(0);
  const starts = new Uint32Array(n + 1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = at;
    at += Buffer.byteLength(ids[rows[i]!]!);
  }
  starts[n] = at;
  return { count: n, columns, ids: encoded, starts, byId };
}

export const idAt = (index: RunIndex, row: number): string => decoder.decode(index.ids.subarray(index.starts[row]!, index.starts[row + 1]!));

/** The row of run `id`, or -1. */
export function findRun(index: RunIndex, id: string): number {
  const key = plainKey(id);
  let lo = 0;
  let hi = index.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const row = index.byId[mid]!;
    const c = key ? compareBytes(index, row, key) : compareDecoded(index, row, id);
    if (c === 0) return row;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

const KEY = new Uint8Array(1024);

/**
 * `id` as UTF-8 in a scratch buffer when comparing bytes gives the ids' code-unit order, else
 * undefined. Byte order is code-point order, which differs from code-unit order only between a
 * surrogate pair and a character from U+E000 on; an id with no character from U+D800 on puts any
 * such pair on the other side alone, where both orders agree. The bisection then compares bytes
 * instead of decoding an id at every step.
 */
function plainKey(id: string): Uint8Array | undefined {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) >= 0xd800) return undefined;
  const { read, written } = encoder.encodeInto(id, KEY);
  return read === id.length ? KEY.subarray(0, written) : undefined;
}

/** Sign of (id at `row`) − `key`, bytewise. */
function compareBytes(index: RunIndex, row: number, key: Uint8Array): number {
  const ids = index.ids;
  const from = index.starts[row]!;
  const len = index.starts[row + 1]! - from;
  const n = Math.min(len, key.length);
  for (let i = 0; i < n; i++) {
    const d = ids[from + i]! - key[i]!;
    if (d !== 0) return d;
  }
  return len - key.length;
}

function compareDecoded(index: RunIndex, row: number, id: string): number {
  const other = idAt(index, row);
  return other === id ? 0 : other < id ? -1 : 1;
}

/** First row whose first_ts is at or after `ts` (rows are in start order). */
export function firstRowFrom(index: RunIndex, ts: number): number {
  const col = index.columns[FIRST_TS]!;
  let lo = 0;
  let hi = index.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (col[mid]! < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const MAGIC = Buffer.from('TTRIDX1\n');

/** The index as a file, in parts (see sectioned.ts). */
export function encodeRunIndex(index: RunIndex): Uint8Array[] {
  const sections = new SectionWriter();
  return sections.frame(MAGIC, {
    version: 1,
    count: index.count,
    fields: INDEX_FIELDS,
    columns: index.columns.map((c) => sections.add(c)),
    ids: sections.add(index.ids),
    starts: sections.add(index.starts),
    by_id: sections.add(index.byId),
  });
}

/** Views of the buffer's bytes, checked for shape; throws on anything unexpected. */
export function decodeRunIndex(buf: Buffer): RunIndex {
  const { headerStart, headerEnd, base } = frameOf(buf, MAGIC, 'tokentune run index');
  const h = JSON.parse(buf.toString('utf8', headerStart, headerEnd)) as { version: number; count: number; fields: string[]; columns: Section[]; ids: Section; starts: Section; by_id: Section };
  if (h.version !== 1 || JSON.stringify(h.fields) !== JSON.stringify(INDEX_FIELDS)) throw new Error('run index of another format');
  const bytes = (buf.byteOffset + base) % 8 === 0 ? buf : Buffer.from(buf);
  const at = (s: Section) => {
    if (base + s.offset + s.bytes > bytes.byteLength) throw new Error('truncated run index');
    return bytes.byteOffset + base + s.offset;
  };
  const n = h.count;
  const index: RunIndex = {
    count: n,
    columns: h.columns.map((s) => new Float64Array(bytes.buffer, at(s), s.bytes / 8)),
    ids: new Uint8Array(bytes.buffer, at(h.ids), h.ids.bytes),
    starts: new Uint32Array(bytes.buffer, at(h.starts), h.starts.bytes / 4),
    byId: new Uint32Array(bytes.buffer, at(h.by_id), h.by_id.bytes / 4),
  };
  if (index.columns.some((c) => c.length !== n) || index.starts.length !== n + 1 || index.byId.length !== n || index.starts[n] !== index.ids.byteLength) throw new Error('corrupt run index');
  return index;
}
