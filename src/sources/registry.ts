import type { SourceAdapter } from './api.js';
import { autopackDb } from './autopack-db.js';
import { autoskillit } from './autoskillit.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { litellm } from './litellm.js';
import { mycoDb } from './myco-db.js';
import { otelFile } from './otel-file.js';
import { tokentuneJson } from './tokentune-json.js';
import { tokentuneJsonl } from './tokentune-jsonl.js';
import { tokentuneSqlite } from './tokentune-sqlite.js';
import { usageTracker } from './usage-tracker.js';
import { vextrusAgents, vextrusCost } from './vextrus.js';

/** Every telemetry format tokentune reads. A new format is one file beside this one and a line here. */
export const SOURCES: readonly SourceAdapter[] = [
  tokentuneJsonl,
  tokentuneJson,
  tokentuneSqlite,
  claudeCode,
  codex,
  usageTracker,
  vextrusCost,
  vextrusAgents,
  autoskillit,
  autopackDb,
  mycoDb,
  litellm,
  otelFile,
];

export const SOURCE_FORMATS = SOURCES.map((s) => s.format) as [string, ...string[]];

/** The formats whose call records the store keeps one by one (those with records in versions): what reports read them from. */
export const PER_RECORD_FORMATS: readonly string[] = SOURCES.filter((s) => s.prefer).map((s) => s.format);

export function sourceAdapter(format: string): SourceAdapter {
  const a = SOURCES.find((s) => s.format === format);
  if (!a) throw new Error(`no source adapter for format "${format}"`);
  return a;
}
