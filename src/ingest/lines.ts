import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Streams a file line by line from a byte offset without ever holding more than one chunk (plus one
 * partial line) in memory. Only complete lines (ending in '\n') are delivered: a last line without its
 * newline may still be being written, so it is reported as a held-back tail for the next run.
 */

export interface LineScan {
  /** Offset just past the last complete line: where the next incremental read should start. */
  endOffset: number;
  /** Number of the next line to be read (1-based), matching endOffset. */
  nextLine: number;
  bytesRead: number;
  /** Bytes after endOffset that were not delivered because the line has no newline yet. */
  heldBackBytes: number;
  /** The handler stopped the scan: endOffset is the start of the line it refused. */
  stopped: boolean;
}

/** Return false to stop: the line is not consumed and the scan ends just before it. */
/** `badUtf8`: the line's bytes are not valid UTF-8 (its text then holds replacement characters). */
export type LineHandler = (text: string, lineNo: number, badUtf8: boolean) => void | false;

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Read size; a line longer than this grows the buffer for that scan. */
const CHUNK = 1 << 20;

/**
 * The read buffer of this thread, used by one scan at a time (a scan never yields): a megabyte
 * allocated per file would be garbage a thousand times over on a directory of small transcripts. A
 * buffer grown for a very long line is that scan's own.
 */
let shared: Buffer | undefined;

/**
 * Synchronous on purpose: it runs on a parsing thread, or on the main thread for a small read, and
 * reads with plain system calls rather than a promise per read.
 */
export interface ScanFrom {
  offset: number;
  line: number;
  end?: number;
  /**
   * A line longer than this many bytes is not delivered but passed to `onTooLong` with its length,
   * and is never held whole: past the bound its bytes are read and dropped until its newline.
   */
  maxLineBytes?: number;
  onTooLong?: (lineNo: number, bytes: number) => void;
}

export function scanLines(path: string, onLine: LineHandler, from: ScanFrom = { offset: 0, line: 1 }): LineScan {
  // `end` (exclusive) must be a line start, as found by lineStartAtOrAfter.
  if (from.end !== undefined && from.end <= from.offset) return { endOffset: from.offset, nextLine: from.line, bytesRead: 0, heldBackBytes: 0, stopped: false };
  const limit = from.end ?? Infinity;
  const maxLine = from.maxLineBytes ?? Infinity;
  const tooLong = from.onTooLong ?? (() => {});
  let buf = (shared ??= Buffer.allocUnsafe(CHUNK));
  let filled = 0;
  let pos = from.offset;
  let lineNo = from.line;
  let endOffset = from.offset;
  let bytesRead = 0;
  // Bytes of an over-long line already dropped while looking for its end; -1 when not in one.
  let dropped = -1;
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      if (filled === buf.length) {
        if (filled > maxLine) {
          // The partial line is over the bound: drop it and read on to its newline.
          dropped = Math.max(dropped, 0) + filled;
          filled = 0;
        } else {
          // A line longer than the buffer but within the bound: grow the buffer, keeping the partial line.
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxLine + 1));
          buf.copy(bigger, 0, 0, filled);
          buf = bigger;
        }
      }
      const want = Math.min(buf.length - filled, limit - pos);
      if (want <= 0) break;
      const n = readSync(fd, buf, filled, want, pos);
      if (n === 0) break;
      pos += n;
      bytesRead += n;
      filled += n;
      const view = buf.subarray(0, filled);
      let start = 0;
      let nl = view.indexOf(NEWLINE, start);
      if (dropped >= 0) {
        if (nl === -1) continue;
        tooLong(lineNo, dropped + (nl > 0 && view[nl - 1] === CR ? nl - 1 : nl));
        lineNo++;
        endOffset += dropped + nl + 1;
        dropped = -1;
        start = nl + 1;
        nl = view.indexOf(NEWLINE, start);
      }
      while (nl !== -1) {
        const end = nl > start && view[nl - 1] === CR ? nl - 1 : nl;
        // A byte-order mark at the start of a file is not part of its first line.
        const from = pos - filled + start === 0 && view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf ? start + 3 : start;
        const bytes = view.subarray(from, end);
        if (end - from > maxLine) tooLong(lineNo, end - from);
        else if (end > from && onLine(bytes.toString('utf8'), lineNo, !isUtf8(bytes)) === false) {
          return { endOffset, nextLine: lineNo, bytesRead, heldBackBytes: 0, stopped: true };
        }
        lineNo++;
        endOffset += nl + 1 - start;
        start = nl + 1;
        nl = view.indexOf(NEWLINE, start);
      }
      // The partial line after the last newline moves to the front for the next read.
      if (start > 0) {
        buf.copy(buf, 0, start, filled);
        filled -= start;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { endOffset, nextLine: lineNo, bytesRead, heldBackBytes: filled + Math.max(dropped, 0), stopped: false };
}

/** Bytes at each end of what was read that vouch for it: a rewritten file no longer matches them. */
const WINDOW = 4096;

/**
 * Hashes of the first and of the last 4 KiB before `offset`. Synchronous, as the scan is: it runs
 * where the range was read, on its parsing thread.
 */
export function prefixHashes(path: string, offset: number): [string, string] {
  const fd = openSync(path, 'r');
  try {
    const n = Math.min(WINDOW, offset);
    const buf = Buffer.alloc(n);
    const hash = (from: number) =>
      createHash('sha256')
        .update(buf.subarray(0, readSync(fd, buf, 0, n, from)))
        .digest('hex');
    return [hash(0), hash(offset - n)];
  } finally {
    closeSync(fd);
  }
}

/** The offset of the first line that starts at or after `offset` (the file size if none does). */
export async function lineStartAtOrAfter(path: string, offset: number, size: number): Promise<number> {
  if (offset <= 0) return 0;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    // The line starts at `offset` if the byte before it ends a line.
    for (let pos = offset - 1; pos < size; pos += buf.length) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const nl = buf.subarray(0, bytesRead).indexOf(NEWLINE);
      if (nl !== -1) return pos + nl + 1;
    }
    return size;
  } finally {
    await fh.close();
  }
}
