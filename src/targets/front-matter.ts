/**
 * A Markdown file's YAML front matter: the text between a first line `---` and the next `---` line.
 * Edits touch that text only; the body after it is never changed.
 */
export interface FrontMatter {
  /** The YAML between the fences. */
  yaml: string;
  /** Where the YAML starts and ends in the file. */
  start: number;
  end: number;
}

export function frontMatter(text: string): FrontMatter | undefined {
  const open = /^---\r?\n/.exec(text);
  if (!open) return undefined;
  const start = open[0].length;
  const close = /^---[ \t]*\r?$/m.exec(text.slice(start));
  if (!close) return undefined;
  return { yaml: text.slice(start, start + close.index), start, end: start + close.index };
}

/** The file with its front matter replaced by `yaml`, the rest as it was. */
export const withFrontMatter = (text: string, f: FrontMatter, yaml: string): string => text.slice(0, f.start) + yaml + text.slice(f.end);
