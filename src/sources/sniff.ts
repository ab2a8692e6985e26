import Database from 'better-sqlite3';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { SOURCES } from './registry.js';

/** Lines of a file tried against the other line formats. */
const SNIFF_LINES = 50;

/** What a source's first file looks like when it is not in the format configured for it. */
export interface Sniffed {
  file: string;
  format: string;
  /** Why, in words: "1 of its tables", "12 of its first 20 lines are its records". */
  evidence: string;
}

/**
 * The format a source's first file is written in, when it is not the one configured: a SQLite
 * database by the tables a database format reads, a file of lines by the format that finds records
 * in the most of its first lines. Undefined when nothing fits better, or the path cannot be read.
 */
export function formatOf(path: string, configured: string): Sniffed | undefined {
  if (/^postgres(?:ql)?:\/\//.test(path)) return undefined;
  let file: string | undefined;
  let head: Buffer;
  try {
    file = statSync(path).isDirectory()
      ? readdirSync(path, { withFileTypes: true, recursive: true })
          .filter((e) => e.isFile() && SOURCES.some((a) => a.extensions.some((x) => e.name.endsWith(x))))
          .map((e) => `${e.parentPath}/${e.name}`)
          .sort()[0]
      : path;
    if (!file) return undefined;
    head = readHead(file);
  } catch {
    return undefined;
  }
  return head.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000' ? databaseFormat(file, configured) : lineFormat(file, head, configured);
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The database format all of whose tables the file has; the one with the most tables wins. */
function databaseFormat(file: string, configured: string): Sniffed | undefined {
  let tables: Set<string>;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 1000 });
    try {
      tables = new Set(db.prepare("SELECT lower(name) FROM sqlite_schema WHERE type IN ('table', 'view')").pluck().all() as string[]);
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
  let best: { format: string; tables: readonly string[] } | undefined;
  for (const a of SOURCES) {
    if (a.format === configured || a.shape !== 'cursor' || !a.tables.every((t) => tables.has(t))) continue;
    if (!best || a.tables.length > best.tables.length) best = { format: a.format, tables: a.tables };
  }
  return best && { file, format: best.format, evidence: `it has the tables ${best.format} reads (${best.tables.join(', ')})` };
}

function lineFormat(file: string, head: Buffer, configured: string): Sniffed | undefined {
  const lines = head
    .toString('utf8')
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.trim())
    .slice(0, SNIFF_LINES);
  let best: { format: string; parsed: number } | undefined;
  for (const a of SOURCES) {
    if (a.format === configured || a.shape !== 'append-lines') continue;
    let parsed = 0;
    for (const l of lines) {
      try {
        const r = a.parseLine(l, file);
        if (!('error' in r) && r.records.length) parsed++;
      } catch {
        // A line the adapter cannot take at all counts as not its own.
      }
    }
    if (parsed && (!best || parsed > best.parsed)) best = { format: a.format, parsed };
  }
  return best && { file, format: best.format, evidence: `${best.parsed} of its first ${lines.length === 1 ? 'line is' : `${lines.length} lines are`} ${best.format} records` };
}
