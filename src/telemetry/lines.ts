import { createReadStream } from 'node:fs';

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
export type LineHandler = (text: string, lineNo: number) => void | false;

const NEWLINE = 0x0a;
const CR = 0x0d;

export async function scanLines(
  path: string,
  onLine: LineHandler,
  from: { offset: number; line: number; end?: number } = { offset: 0, line: 1 },
): Promise<LineScan> {
  // `end` (exclusive) must be a line start, as found by lineStartAtOrAfter.
  if (from.end !== undefined && from.end <= from.offset) return { endOffset: from.offset, nextLine: from.line, bytesRead: 0, heldBackBytes: 0, stopped: false };
  const stream = createReadStream(path, { start: from.offset, end: from.end === undefined ? undefined : from.end - 1, highWaterMark: 1 << 20 });
  let carry: Buffer | null = null;
  let lineNo = from.line;
  let endOffset = from.offset;
  let bytesRead = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    let nl = buf.indexOf(NEWLINE, start);
    while (nl !== -1) {
      const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
      if (end > start && onLine(buf.toString('utf8', start, end), lineNo) === false) {
        stream.destroy();
        return { endOffset, nextLine: lineNo, bytesRead, heldBackBytes: 0, stopped: true };
      }
      lineNo++;
      endOffset += nl + 1 - start;
      start = nl + 1;
      nl = buf.indexOf(NEWLINE, start);
    }
    carry = start < buf.length ? buf.subarray(start) : null;
    // A carried slice of a big chunk would pin the whole chunk in memory; copy it out.
    if (carry && start > 0) carry = Buffer.from(carry);
    buf = Buffer.alloc(0);
  }
  return { endOffset, nextLine: lineNo, bytesRead, heldBackBytes: carry ? carry.length : 0, stopped: false };
}

/** The offset of the first line that starts at or after `offset` (the file size if none does). */
export async function lineStartAtOrAfter(path: string, offset: number, size: number): Promise<number> {
  if (offset <= 0) return 0;
  const { open } = await import('node:fs/promises');
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
