import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * The binary layout of the state's large files (rollups, run index): an 8-byte magic, the length of a
 * JSON header (u32 LE), the header, padding to 8, then the sections, each starting on an 8-byte
 * boundary of the file, so that typed arrays read back as views of the file's bytes without a copy.
 * Offsets in the header count from the first section.
 */
export interface Section {
  offset: number;
  bytes: number;
}

export class SectionWriter {
  private readonly parts: Uint8Array[] = [];
  private offset = 0;

  /** Adds a section: exactly the array's own bytes (even of a view of a larger buffer), padded to 8. */
  add(a: Uint8Array | Uint32Array | Float64Array): Section {
    const s = { offset: this.offset, bytes: a.byteLength };
    this.parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    this.offset += a.byteLength;
    const pad = (8 - (this.offset % 8)) % 8;
    if (pad) {
      this.parts.push(new Uint8Array(pad));
      this.offset += pad;
    }
    return s;
  }

  /** The whole file, in parts: magic, header length, header, padding, then the sections added. */
  frame(magic: Buffer, header: unknown): Uint8Array[] {
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.byteLength);
    const headPad = (8 - ((magic.byteLength + 4 + json.byteLength) % 8)) % 8;
    return [magic, length, json, new Uint8Array(headPad), ...this.parts];
  }
}

/** Writes `parts` to `path` (created 0600) and fsyncs it. */
export function writeParts(path: string, parts: readonly Uint8Array[]): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (const part of parts) {
      // write(2) may write less than asked (a signal, a file size limit): go on from where it stopped.
      for (let done = 0; done < part.byteLength; ) done += writeSync(fd, part, done, part.byteLength - done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Bytes of a file before its header's length is known: the magic and the length. */
export const PREFIX_BYTES = 12;

/**
 * Where the header of a file with this `magic` lies and where its sections start, from its first
 * PREFIX_BYTES or more; throws "not a <what>" for anything else.
 */
export function frameOf(prefix: Buffer, magic: Buffer, what: string): { headerStart: number; headerEnd: number; base: number } {
  if (prefix.byteLength < PREFIX_BYTES || !prefix.subarray(0, magic.byteLength).equals(magic)) throw new Error(`not a ${what}`);
  const headerStart = magic.byteLength + 4;
  const headerEnd = headerStart + prefix.readUInt32LE(magic.byteLength);
  return { headerStart, headerEnd, base: headerEnd + ((8 - (headerEnd % 8)) % 8) };
}
