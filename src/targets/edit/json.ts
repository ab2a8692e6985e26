import { applyEdits as applyTextEdits, modify, parse, type ParseError } from 'jsonc-parser';
import { isDeepStrictEqual } from 'node:util';
import type { KeyPath } from '../api.js';
import { EditError, setIn, type Edit } from './yaml.js';

/**
 * Minimal edits of JSON text (jsonc-parser's `modify`): a changed value replaces the old one where it
 * stands, so key order, indentation and every other byte stay and a one-value change is a one-line
 * diff. A key that does not exist yet is added in the file's own indentation.
 */
export function applyJsonEdits(text: string, edits: readonly Edit[], label: string): string {
  const before = parseStrict(text, label);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  let out = text;
  for (const e of edits) {
    const parent = e.path.slice(0, -1);
    if (parent.length && !isObject(getPath(parseStrict(out, label), parent))) throw new EditError(`${label}: ${parent.join('.')}: no object to set "${e.path.at(-1)}" in`);
    out = applyTextEdits(out, modify(out, e.path as string[], e.value, { formattingOptions: { insertSpaces: !indent.includes('\t'), tabSize: indent.includes('\t') ? 1 : indent.length, eol } }));
  }
  const expected = structuredClone(before) as Record<string, unknown>;
  for (const e of edits) setIn(expected, e.path, e.value);
  if (!isDeepStrictEqual(parseStrict(out, label), expected)) throw new EditError(`${label}: the edited file does not read back as intended; nothing written`);
  return out;
}

function parseStrict(text: string, label: string): unknown {
  const errors: ParseError[] = [];
  const data = parse(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length) throw new EditError(`${label}: not valid JSON`);
  return data;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

function getPath(doc: unknown, path: KeyPath): unknown {
  let cur = doc;
  for (const k of path) cur = isObject(cur) ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}
