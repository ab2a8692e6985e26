import { readdirSync, statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { plural } from '../common/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { IngestSummary } from '../ingest/index.js';
import { isServerUrl } from '../ingest/index.js';
import { formatOf, SOURCES, sourceAdapter } from '../sources/index.js';

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
    const fits = formatOf(s.path, s.format);
    if (fits) parts.push(`${displayPath(fits.file)} reads as ${fits.format}: ${fits.evidence}. Set format: ${fits.format} for ${s.path} in ${loaded.file}`);
  }
  parts.push(`is it another format? tokentune reads ${SOURCES.map((a) => a.format).join(', ')}: set the source's format in ${loaded.file}`);
  return parts.join('\n  ');
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

/** A path under the working directory as relative to it, as a user typed it. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
