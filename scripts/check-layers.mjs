#!/usr/bin/env node
// Fails on any import cycle between source files, and on any import that goes up the stages:
// a stage (a folder of src/) imports only from the stages below it in LAYERS. Part of `npm test`.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// Lowest first. A stage may import from any stage before it in this list, never from one after it.
const LAYERS = [
  'common',
  'pricing',
  'sources',
  'targets',
  'config',
  'store',
  'ingest',
  'stats',
  'waste',
  'budget',
  'rules',
  'drift',
  'llm',
  'report',
  'publish',
  'run',
  'daemon',
  'commands',
  'cli.ts',
  'main.ts',
];

const SRC = resolve(import.meta.dirname, '../src');
const files = readdirSync(SRC, { recursive: true })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(SRC, f));
const stageOf = (file) => relative(SRC, file).split('/')[0];
const problems = [];
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'));
    deps.push(target);
    const [a, b] = [stageOf(file), stageOf(target)];
    if (a === b) continue;
    const [ia, ib] = [LAYERS.indexOf(a), LAYERS.indexOf(b)];
    if (ia < 0 || ib < 0) problems.push(`${relative(SRC, file)}: stage "${ia < 0 ? a : b}" is not in LAYERS`);
    else if (ib > ia) problems.push(`${relative(SRC, file)} imports ${relative(SRC, target)}: "${a}" may not import from "${b}", a stage above it`);
  }
  graph.set(file, deps);
}

// Cycles between files: a depth-first search that reports each back edge's cycle once.
const state = new Map();
const stack = [];
const visit = (f) => {
  state.set(f, 'open');
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 'open') problems.push(`import cycle: ${[...stack.slice(stack.indexOf(d)), d].map((x) => relative(SRC, x)).join(' → ')}`);
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 'done');
};
for (const f of files) if (!state.has(f)) visit(f);

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`layers: ${files.length} files, no import cycle, every import goes down the stages`);
