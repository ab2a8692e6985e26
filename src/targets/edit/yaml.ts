import { isAlias, isMap, isScalar, parseDocument, visit, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import type { KeyPath } from '../api.js';
import { YAML_OPTIONS } from '../read.js';

/**
 * Surgical edits of YAML text: a changed value is spliced into the exact source range of the old
 * scalar, so comments, key order, blank lines, quoting and number style (`400_000`) survive and a
 * one-value change is a one-line diff. (Re-serialising through the Document API would rewrite the
 * whole file.) A key that does not exist yet is inserted as one new line in its parent block mapping.
 */

export interface Edit {
  path: KeyPath;
  value: string | number;
}

export class EditError extends Error {
  override name = 'EditError';
}

export function applyEdits(text: string, edits: readonly Edit[], label: string): string {
  const before = parse(text, label);
  let out = text;
  for (const edit of edits) out = applyOne(out, edit, label);
  verify(before.toJS(), out, edits, label);
  return out;
}

function parse(text: string, label: string): Document.Parsed {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length) throw new EditError(`${label}: not valid YAML: ${doc.errors[0]!.message}`);
  return doc;
}

function applyOne(text: string, edit: Edit, label: string): string {
  const doc = parse(text, label);
  const shared = sharedOnPath(doc, edit.path);
  if (shared) throw new EditError(`${label}: ${edit.path.join('.')}: ${shared}; editing it here would change every place that shares it, so nothing was written (edit it by hand)`);
  const node = doc.getIn(edit.path, true);
  if (node !== undefined) {
    if (!isScalar(node) || !node.range) throw new EditError(`${label}: ${edit.path.join('.')}: not a plain value, cannot edit it`);
    return text.slice(0, node.range[0]) + render(edit.value, node) + text.slice(node.range[1]);
  }
  // The deepest mapping on the path that exists: the keys after it are added below it, nested.
  let depth = edit.path.length - 1;
  while (depth > 0 && doc.getIn(edit.path.slice(0, depth), true) === undefined) depth--;
  const parentPath = edit.path.slice(0, depth);
  const keys = edit.path.slice(depth);
  const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
  if (!isMap(parent) || parent.flow || !parent.range) {
    throw new EditError(`${label}: ${parentPath.join('.') || '(top level)'}: no block mapping to add "${keys[0]}" to`);
  }
  return insertPair(text, parent, keys, edit.value);
}

/**
 * Adds `key: value` after the last entry that is not `default`, indented like its siblings; with
 * more than one key, each further key on its own line, two spaces deeper.
 */
function insertPair(text: string, map: YAMLMap, keys: KeyPath, value: string | number): string {
  const key = keys[0]!;
  const pairs = map.items.filter((p) => isScalar(p.key) && p.key.range);
  const first = pairs[0];
  if (!first) throw new EditError(`cannot add "${key}" to an empty mapping`);
  const firstKey = first.key as Scalar;
  const lineStart = text.lastIndexOf('\n', firstKey.range![0] - 1) + 1;
  const indent = text.slice(lineStart, firstKey.range![0]);
  if (!/^ *$/.test(indent)) throw new EditError(`cannot add "${key}": its mapping is not in block style`);

  const nonDefault = pairs.filter((p) => (p.key as Scalar).value !== 'default');
  // A file written with CRLF line ends keeps them.
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const line = keys.map((k, i) => `${indent}${'  '.repeat(i)}${renderKey(k)}:${i === keys.length - 1 ? ` ${render(value)}` : ''}${eol}`).join('');
  if (nonDefault.length === 0) {
    const at = text.lastIndexOf('\n', (pairs[0]!.key as Scalar).range![0] - 1) + 1;
    return text.slice(0, at) + line + text.slice(at);
  }
  const after = nonDefault[nonDefault.length - 1]!;
  // Below the whole value: a scalar, a nested mapping, or a block list under the key.
  const valueRange = (after.value as { range?: [number, number, number] } | null)?.range;
  let valueEnd = valueRange ? valueRange[1] : (after.key as Scalar).range![1];
  // A nested mapping's range runs over the blank lines after it: the new entry goes right below its text.
  while (valueEnd > 0 && /\s/.test(text[valueEnd - 1]!)) valueEnd--;
  const nl = text.indexOf('\n', valueEnd);
  if (nl === -1) return `${text}\n${line}`;
  return text.slice(0, nl + 1) + line + text.slice(nl + 1);
}

/**
 * Why the value at `path` is shared with other places, if it is: the path goes through an alias
 * (`*name`), or a node on it is an anchor (`&name`) that aliases repeat. (A value a mapping merges in
 * with `<<` is not shared this way: the edit adds an overriding key to that mapping alone.)
 */
function sharedOnPath(doc: Document.Parsed, path: KeyPath): string | undefined {
  const aliases = new Map<string, number>();
  visit(doc, { Alias: (_, a) => void aliases.set(a.source, (aliases.get(a.source) ?? 0) + 1) });
  const anchored = (n: Node | null | undefined, where: string) => {
    const name = n && 'anchor' in n ? (n as { anchor?: string }).anchor : undefined;
    const uses = name ? (aliases.get(name) ?? 0) : 0;
    return name && uses ? `${where} is the anchor &${name}, repeated by ${uses} alias${uses > 1 ? 'es' : ''} *${name}` : undefined;
  };
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const here = path.slice(0, i).join('.') || '(top level)';
    if (isAlias(node)) return `${here} is the alias *${node.source}`;
    const why = anchored(node as Node, here);
    if (why) return why;
    if (!isMap(node)) return undefined;
    node = node.get(path[i], true);
  }
  if (isAlias(node)) return `its value is the alias *${node.source}`;
  return anchored(node as Node, 'its value');
}

/** Renders a value in the style of the scalar it replaces: underscores, quotes. */
function render(value: string | number, like?: Scalar): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new EditError(`refusing to write a non-integer token count ${value}`);
    const source = (like as (Scalar & { source?: string }) | undefined)?.source ?? '';
    return source.includes('_') ? groupThousands(value) : String(value);
  }
  const style = like?.type;
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return isPlainSafe(value) ? value : JSON.stringify(value);
}

const renderKey = (key: string): string => (isPlainSafe(key) ? key : JSON.stringify(key));

export function groupThousands(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '_');
}

/** A string that reads back as the same string when written plain in YAML 1.1. */
function isPlainSafe(s: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(s)) return false;
  const back = parseDocument(`k: ${s}`, YAML_OPTIONS).get('k');
  return back === s;
}

/**
 * The edited text must parse, and mean exactly the old document with the intended values set: any
 * other difference (a broken indent, a swallowed comment turned key) fails before anything is written.
 */
function verify(original: unknown, text: string, edits: readonly Edit[], label: string): void {
  const after = parse(text, label).toJS();
  const expected = structuredClone(original) as Record<string, unknown>;
  for (const e of edits) setIn(expected, e.path, e.value);
  if (!isDeepStrictEqual(after, expected)) {
    throw new EditError(`${label}: the edited file does not read back as intended; nothing written`);
  }
}

/** Sets `value` at `path` in plain data, making the mappings on the way that are missing. */
export function setIn(obj: Record<string, unknown>, path: KeyPath, value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1]!] = value;
}
