import type { ResponseTokens } from '../pricing/index.js';
import { object, text } from '../sources/parse.js';

/**
 * One transcript as the waste detectors see it: its API responses in order (the lines of one streamed
 * response merged), and the user lines between them (a prompt, or tool results and their sizes).
 * Only what a detector needs is kept: content kinds, tool names, a Read's path and a Bash command
 * (to count and show), sizes. No prompt or answer text.
 */
export interface TraceCall extends ResponseTokens {
  kind: 'call';
  id: string;
  ts: number;
  model: string;
  text: boolean;
  thinking: boolean;
  /** Tools called: a Read's path, a Bash command, a Task's subagent type. */
  tools: { name: string; path?: string | undefined; command?: string | undefined; agent?: string | undefined }[];
}

export interface TraceUser {
  kind: 'user';
  ts: number;
  /** A prompt typed (or sent) to the agent, as opposed to tool results only. */
  prompt: boolean;
  /** Each tool result's size in characters, with the tool it answered where the call named it. */
  results: { chars: number; tool: string | undefined }[];
}

export interface Trace {
  file: string;
  session: string | undefined;
  /** A subagent's own transcript (Claude Code's sidechain). */
  sidechain: boolean;
  events: (TraceCall | TraceUser)[];
}

const EDIT_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);
export const isEdit = (name: string): boolean => EDIT_TOOLS.has(name);

/** The characters of a tool result's content: a string, or text blocks. */
function chars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  return content.reduce((a: number, b) => a + (text(object(b)?.['text'])?.length ?? 0), 0);
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/**
 * A transcript's lines into its trace. `seen` holds response ids met in earlier files: a resumed
 * session's copies of earlier responses are skipped there, so each response is judged once.
 */
export function traceOf(file: string, lines: Iterable<string>, seen: Set<string>): Trace {
  const events: Trace['events'] = [];
  const toolOf = new Map<string, string>();
  let session: string | undefined;
  let sidechain = false;
  let last: TraceCall | undefined;
  for (const line of lines) {
    if (!line.includes('"message"')) continue;
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const m = object(j['message']);
    if (!m) continue;
    session ??= text(j['sessionId']);
    if (j['isSidechain'] === true) sidechain = true;
    const ts = Date.parse(String(j['timestamp'] ?? ''));
    const content = Array.isArray(m['content']) ? (m['content'] as unknown[]).map(object) : [];
    if (j['type'] === 'assistant' && object(m['usage'])) {
      if (m['model'] === '<synthetic>') continue;
      const id = text(m['id']) ?? text(j['requestId']) ?? text(j['uuid']) ?? `${file}:${events.length}`;
      const u = object(m['usage'])!;
      // A streamed response's lines follow each other: merge them into the one call.
      let call = last && last.id === id ? last : undefined;
      if (!call) {
        if (seen.has(id)) continue;
        seen.add(id);
        call = { kind: 'call', id, ts, model: text(m['model']) ?? 'unknown', input: 0, output: 0, cache_creation: 0, cache_creation_1h: 0, cache_read: 0, text: false, thinking: false, tools: [] };
        events.push(call);
        last = call;
      }
      call.input = Math.max(call.input, count(u['input_tokens']));
      call.output = Math.max(call.output, count(u['output_tokens']));
      call.cache_creation = Math.max(call.cache_creation, count(u['cache_creation_input_tokens']));
      call.cache_creation_1h = Math.max(call.cache_creation_1h, count(object(u['cache_creation'])?.['ephemeral_1h_input_tokens']));
      call.cache_read = Math.max(call.cache_read, count(u['cache_read_input_tokens']));
      for (const b of content) {
        if (b?.['type'] === 'text' && text(b['text'])?.trim()) call.text = true;
        else if (b?.['type'] === 'thinking' || b?.['type'] === 'redacted_thinking') call.thinking = true;
        else if (b?.['type'] === 'tool_use') {
          const name = text(b['name']) ?? 'tool';
          const input = object(b['input']);
          const id = text(b['id']);
          if (id) toolOf.set(id, name);
          call.tools.push({
            name,
            path: name === 'Read' ? text(input?.['file_path']) : undefined,
            command: name === 'Bash' ? text(input?.['command']) : undefined,
            agent: name === 'Task' || name === 'Agent' ? (text(input?.['subagent_type']) ?? 'general-purpose') : undefined,
          });
        }
      }
    } else if (j['type'] === 'user') {
      last = undefined;
      const results = content.filter((b) => b?.['type'] === 'tool_result').map((b) => ({ chars: chars(b!['content']), tool: toolOf.get(text(b!['tool_use_id']) ?? '') }));
      events.push({ kind: 'user', ts, prompt: results.length === 0, results });
    }
  }
  return { file, session, sidechain, events };
}
