import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { plural } from '../common/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { IngestSummary } from '../ingest/index.js';
import { isServerUrl } from '../ingest/index.js';
import { SOURCES, sourceAdapter } from '../sources/index.js';

/** How many of the first skipped lines a "no records" error shows. */
const REASONS = 3;

/**
 * Why a run found no telemetry record at all, in words a user can act on: how much was read and
 * skipped with the first reasons, which files beside the read ones another format would read, and
 * which formats there are. The usual cause is a source configured in the wrong format.
 */
export function noRecordsMessage(loaded: LoadedConfig, ingest: IngestSummary): string {
  const where = loaded.sources.map((s) => `${s.path} (format ${s.format})`).join(', ');
  const parts = [`no telemetry records in ${where}`];
  if (ingest.skipped) {
    const reasons = ingest.skipped_details.slice(0, REASONS).map((d) => `${basename(d.file)}:${d.line}: ${d.reason}`);
    parts[0] += `: ${plural(ingest.skipped, 'line')} read, none of them a record; the first reasons: ${reasons.join('; ')}`;
  } else if (ingest.bytes) parts[0] += `: ${plural(ingest.bytes, 'byte')} read, no line carrying usage`;
  else if (!ingest.files) parts[0] += ': no file of the format there';
  for (const s of loaded.sources) {
    const extensions = sourceAdapter(s.format).extensions;
    const unread = otherFiles(s.path, extensions);
    if (unread.length) {
      const shown = unread.slice(0, 3).join(', ') + (unread.length > 3 ? `, and ${unread.length - 3} more` : '');
      parts.push(`${plural(unread.length, 'file here is', 'files here are')} not read as ${s.format} (${extensions.map((x) => `*${x}`).join(', ')}): ${shown}`);
    }
  }
  for (const s of loaded.sources) {
    const fits = lineFormatOf(s.path, s.format);
    if (fits) parts.push(`${fits.file} reads as ${fits.format}: ${fits.parsed} of its first ${plural(fits.lines, 'line')} are its records. Set format: ${fits.format} for ${s.path} in ${loaded.file}`);
  }
  parts.push(`is it another format? tokentune reads ${SOURCES.map((a) => a.format).join(', ')}: set the source's format in ${loaded.file}`);
  return parts.join('\n  ');
}

/** Lines of a file tried against the other line formats. */
const SNIFF_LINES = 50;

/**
 * The line format the first lines of a source's first file are written in, when it is not the one
 * configured: the one that finds records in the most of them.
 */
function lineFormatOf(path: string, configured: string): { file: string; format: string; parsed: number; lines: number } | undefined {
  if (isServerUrl(path)) return undefined;
  let file: string | undefined;
  try {
    file = statSync(path).isDirectory()
      ? readdirSync(path, { withFileTypes: true, recursive: true })
          .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
          .map((e) => `${e.parentPath}/${e.name}`)
          .sort()[0]
      : path;
  } catch {
    return undefined;
  }
  if (!file) return undefined;
  const lines: string[] = [];
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256 * 1024);
      const n = readSync(fd, buf, 0, buf.length, 0);
      lines.push(...buf.subarray(0, n).toString('utf8').split('\n').slice(0, -1).filter((l) => l.trim()).slice(0, SNIFF_LINES));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
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
  const rel = relative(process.cwd(), file);
  return best ? { file: rel && !rel.startsWith('..') ? rel : file, ...best, lines: lines.length } : undefined;
}

/** Files below a source directory that its format does not read, but some format would. */
function otherFiles(path: string, extensions: readonly string[]): string[] {
  if (isServerUrl(path)) return [];
  try {
    if (!statSync(path).isDirectory()) return [];
    const known = SOURCES.flatMap((a) => a.extensions);
    return readdirSync(path, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && !extensions.some((x) => e.name.endsWith(x)) && known.some((x) => e.name.endsWith(x)))
      .map((e) => relative(path, `${e.parentPath}/${e.name}`))
      .sort();
  } catch {
    return [];
  }
}
