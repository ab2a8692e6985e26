import type { AppendLinesAdapter, LineResult } from './api.js';
import { jsonLine, object, text } from './parse.js';
import type { CallRecord, TelemetryRecord } from './records.js';

/**
 * The OpenTelemetry Collector's file exporter output: one OTLP/JSON export request per line
 * (`resourceLogs`, `resourceSpans`, `resourceMetrics`). Two kinds of record are calls:
 * - Claude Code's `claude_code.api_request` log events: one per API request, with its model, the four
 *   token counts (cache reads and writes apart, as Anthropic bills them), the cost Claude Code reckoned,
 *   its duration and session;
 * - spans following the GenAI semantic conventions (`gen_ai.usage.input_tokens` …), from any other
 *   agent or gateway: OTel counts cached input inside `gen_ai.usage.input_tokens`, so the cache reads
 *   and writes the span names are taken out of it.
 * What would count a request twice is not read: metrics (`claude_code.token.usage`, `cost.usage` sum
 * the same requests), and Claude Code's own `claude_code.llm_request` spans (the api_request event of
 * the same request is the record).
 */

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };

/** The attributes of an OTLP/JSON item, by key. */
function attributes(list: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(list)) return out;
  for (const a of list) {
    const kv = object(a);
    const v = object(kv?.['value']) as AnyValue | undefined;
    const key = text(kv?.['key']);
    if (!key || !v) continue;
    out.set(key, v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue)));
  }
  return out;
}

/** A count that older Claude Code versions wrote as a string; NaN when neither. */
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN);
const count = (v: unknown): number => (v === undefined ? 0 : num(v));
const nanoToMs = (v: unknown): number => (typeof v === 'string' || typeof v === 'number' ? Math.floor(Number(v) / 1e6) : Number.NaN);

function apiRequest(a: Map<string, unknown>, ts: number, resource: Map<string, unknown>): CallRecord | string {
  const model = text(a.get('model'));
  if (!model) return 'claude_code.api_request: no model';
  const [input, output, read, write] = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens'].map((k) => count(a.get(k)));
  for (const [k, v] of [
    ['input_tokens', input],
    ['output_tokens', output],
    ['cache_read_tokens', read],
    ['cache_creation_tokens', write],
  ] as const)
    if (!(v! >= 0) || !Number.isFinite(v)) return `claude_code.api_request: ${k} is not a count`;
  const cost = num(a.get('cost_usd'));
  const session = text(a.get('session.id')) ?? text(resource.get('session.id'));
  const stamp = text(a.get('event.timestamp'));
  const at = stamp ? Date.parse(stamp) : ts;
  return {
    kind: 'call',
    ts: Number.isFinite(at) ? at : ts,
    run_id: session,
    phase_id: undefined,
    request_id: text(a.get('client_request_id')) ?? text(a.get('request_id')) ?? text(a.get('message.uuid')),
    role: 'main',
    agent: text(a.get('agent_id')) ? 'subagent' : 'main',
    provider: 'anthropic',
    model,
    input_tokens: input!,
    output_tokens: output!,
    cache_creation_input_tokens: write!,
    cache_read_input_tokens: read!,
    cost_usd: Number.isFinite(cost) && cost >= 0 ? cost : undefined,
    duration_ms: Number.isFinite(num(a.get('duration_ms'))) ? num(a.get('duration_ms')) : undefined,
    session_id: session,
  };
}

function genAiSpan(span: Record<string, unknown>, a: Map<string, unknown>, resource: Map<string, unknown>): CallRecord | string {
  const model = text(a.get('gen_ai.response.model')) ?? text(a.get('gen_ai.request.model'));
  if (!model) return `span ${text(span['name']) ?? ''}: gen_ai usage without gen_ai.request.model`;
  const inputAll = count(a.get('gen_ai.usage.input_tokens'));
  const output = count(a.get('gen_ai.usage.output_tokens'));
  const read = count(a.get('gen_ai.usage.cache_read.input_tokens') ?? a.get('gen_ai.usage.cache_read_input_tokens'));
  const write = count(a.get('gen_ai.usage.cache_creation.input_tokens') ?? a.get('gen_ai.usage.cache_creation_input_tokens'));
  if (![inputAll, output, read, write].every((v) => Number.isFinite(v) && v >= 0)) return `span ${text(span['name']) ?? ''}: a gen_ai.usage count is not a count`;
  const ts = nanoToMs(span['endTimeUnixNano'] ?? span['startTimeUnixNano']);
  if (!Number.isFinite(ts)) return `span ${text(span['name']) ?? ''}: no time`;
  const start = nanoToMs(span['startTimeUnixNano']);
  return {
    kind: 'call',
    ts,
    run_id: text(span['traceId']),
    phase_id: undefined,
    request_id: `${text(span['traceId']) ?? ''}:${text(span['spanId']) ?? ''}`,
    role: text(a.get('gen_ai.agent.name')) ?? text(resource.get('service.name')) ?? 'main',
    provider: text(a.get('gen_ai.provider.name')) ?? text(a.get('gen_ai.system')),
    model,
    // OTel's input tokens hold the cached ones; Anthropic bills them apart.
    input_tokens: Math.max(0, inputAll - read - write),
    output_tokens: output,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cost_usd: undefined,
    duration_ms: Number.isFinite(start) ? ts - start : undefined,
  };
}

export function parseOtelLine(line: string): LineResult {
  const parsed = jsonLine(line);
  if (!parsed) return { records: [] };
  if ('error' in parsed) return parsed;
  const j = parsed.value;
  const records: TelemetryRecord[] = [];
  for (const rl of Array.isArray(j['resourceLogs']) ? j['resourceLogs'] : []) {
    const resource = attributes(object(object(rl)?.['resource'])?.['attributes']);
    for (const sl of (object(rl)?.['scopeLogs'] as unknown[] | undefined) ?? []) {
      for (const lr of (object(sl)?.['logRecords'] as unknown[] | undefined) ?? []) {
        const rec = object(lr);
        const a = attributes(rec?.['attributes']);
        const name = text(object(rec?.['body'])?.['stringValue']) ?? text(a.get('event.name'));
        if (name !== 'claude_code.api_request' && name !== 'api_request') continue;
        const r = apiRequest(a, nanoToMs(rec?.['timeUnixNano'] ?? rec?.['observedTimeUnixNano']), resource);
        if (typeof r === 'string') return { error: r };
        records.push(r);
      }
    }
  }
  for (const rs of Array.isArray(j['resourceSpans']) ? j['resourceSpans'] : []) {
    const resource = attributes(object(object(rs)?.['resource'])?.['attributes']);
    for (const ss of (object(rs)?.['scopeSpans'] as unknown[] | undefined) ?? []) {
      for (const sp of (object(ss)?.['spans'] as unknown[] | undefined) ?? []) {
        const span = object(sp);
        if (!span || text(span['name']) === 'claude_code.llm_request') continue;
        const a = attributes(span['attributes']);
        if (!a.has('gen_ai.usage.input_tokens') && !a.has('gen_ai.usage.output_tokens')) continue;
        const r = genAiSpan(span, a, resource);
        if (typeof r === 'string') return { error: r };
        records.push(r);
      }
    }
  }
  return { records };
}

const key = (r: CallRecord): string => r.request_id ?? `${r.session_id ?? ''}:${r.ts}:${r.model}:${r.input_tokens}:${r.output_tokens}:${r.cache_read_input_tokens}`;

export const otelFile: AppendLinesAdapter = {
  format: 'otel-file',
  description: "The OpenTelemetry Collector's file exporter output (OTLP/JSON lines): Claude Code's api_request events and GenAI spans",
  shape: 'append-lines',
  extensions: ['.jsonl', '.json'],
  parseLine: (line) => parseOtelLine(line),
  dedupeKey: (r: TelemetryRecord) => `otel:${key(r as CallRecord)}`,
};
