#!/usr/bin/env node
// Generates what an OpenTelemetry Collector's file exporter writes (one OTLP/JSON export request per
// line) with a fixed seed, and truth.json: per UTC day and model, the four token counts and the cost a
// correct reader counts. The file holds Claude Code's api_request log events (numbers as numbers, and
// as strings as older versions wrote them), GenAI spans of another agent (cached input counted inside
// input tokens, as OTel does), and what must not count again: Claude Code's llm_request spans for the
// same requests, its token and cost metrics, and other events.
//
//   node scripts/generate-otel.mjs --out DIR [--requests 400] [--end YYYY-MM-DD] [--seed 4]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rng } from './rng.mjs';

const { values } = parseArgs({
  options: { out: { type: 'string' }, requests: { type: 'string', default: '400' }, end: { type: 'string', default: new Date().toISOString().slice(0, 10) }, seed: { type: 'string', default: '4' } },
});
if (!values.out) throw new Error('--out DIR is required');
const rand = rng(Number(values.seed));
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const attr = (key, v) => ({ key, value: typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } });
const endMs = Date.parse(`${values.end}T00:00:00Z`) - 3_600_000;
const truth = { days: {} };
const count = (ms, model, u, cost) => {
  const d = (truth.days[new Date(ms).toISOString().slice(0, 10)] ??= {});
  const m = (d[model] ??= { requests: 0, input: 0, output: 0, cache_read: 0, cache_creation: 0, cost: 0 });
  m.requests++;
  m.input += u.input;
  m.output += u.output;
  m.cache_read += u.read;
  m.cache_creation += u.write;
  m.cost += cost;
};
const lines = [];
const resource = (service) => ({ attributes: [attr('service.name', service), attr('host.arch', 'amd64')] });
for (let i = 0; i < Number(values.requests); i++) {
  const ms = endMs - int(0, 9 * 86_400) * 1000;
  const nano = `${BigInt(ms) * 1_000_000n}`;
  if (rand() < 0.6) {
    // Claude Code's api_request event, and its llm_request span (beta tracing) for the same request.
    const model = rand() < 0.5 ? 'claude-sonnet-5-5' : 'claude-haiku-4-5';
    const u = { input: int(1, 500), output: int(50, 3_000), read: int(0, 80_000), write: int(0, 6_000) };
    const cost = Math.round(rand() * 1e5) / 1e6;
    const asString = rand() < 0.3;
    const n = (v) => (asString ? String(v) : v);
    const attrs = [
      attr('event.name', 'api_request'),
      attr('event.timestamp', new Date(ms).toISOString()),
      attr('session.id', `s-${i % 17}`),
      attr('model', model),
      { key: 'input_tokens', value: asString ? { stringValue: String(u.input) } : { intValue: n(u.input) } },
      { key: 'output_tokens', value: asString ? { stringValue: String(u.output) } : { intValue: n(u.output) } },
      { key: 'cache_read_tokens', value: asString ? { stringValue: String(u.read) } : { intValue: n(u.read) } },
      { key: 'cache_creation_tokens', value: asString ? { stringValue: String(u.write) } : { intValue: n(u.write) } },
      { key: 'cost_usd', value: asString ? { stringValue: String(cost) } : { doubleValue: cost } },
      attr('duration_ms', int(500, 20_000)),
      attr('client_request_id', `cr-${values.seed}-${i}`),
    ];
    lines.push({
      resourceLogs: [
        {
          resource: resource('claude-code'),
          scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: [{ timeUnixNano: nano, body: { stringValue: 'claude_code.api_request' }, attributes: attrs }] }],
        },
      ],
    });
    count(ms, model, u, cost);
    if (rand() < 0.5)
      lines.push({
        resourceSpans: [
          {
            resource: resource('claude-code'),
            scopeSpans: [
              {
                scope: { name: 'com.anthropic.claude_code' },
                spans: [
                  {
                    traceId: hex(32),
                    spanId: hex(16),
                    name: 'claude_code.llm_request',
                    startTimeUnixNano: nano,
                    endTimeUnixNano: nano,
                    attributes: [attr('gen_ai.request.model', model), attr('gen_ai.usage.input_tokens', u.input + u.read + u.write), attr('gen_ai.usage.output_tokens', u.output)],
                  },
                ],
              },
            ],
          },
        ],
      });
    // A user_prompt event: not a request.
    if (rand() < 0.2)
      lines.push({
        resourceLogs: [
          { resource: resource('claude-code'), scopeLogs: [{ logRecords: [{ timeUnixNano: nano, body: { stringValue: 'claude_code.user_prompt' }, attributes: [attr('prompt_length', 120)] }] }] },
        ],
      });
  } else {
    // Another agent's GenAI span: input tokens include the cached ones.
    const model = rand() < 0.5 ? 'gpt-5' : 'claude-sonnet-5-5';
    const u = { input: int(10, 2_000), output: int(50, 2_000), read: int(0, 30_000), write: model === 'gpt-5' ? 0 : int(0, 3_000) };
    const start = `${BigInt(ms - 2_000) * 1_000_000n}`;
    lines.push({
      resourceSpans: [
        {
          resource: resource('review-bot'),
          scopeSpans: [
            {
              scope: { name: 'openinference' },
              spans: [
                {
                  traceId: hex(32),
                  spanId: hex(16),
                  name: `chat ${model}`,
                  startTimeUnixNano: start,
                  endTimeUnixNano: nano,
                  attributes: [
                    attr('gen_ai.operation.name', 'chat'),
                    attr('gen_ai.provider.name', model === 'gpt-5' ? 'openai' : 'anthropic'),
                    attr('gen_ai.request.model', model),
                    attr('gen_ai.usage.input_tokens', u.input + u.read + u.write),
                    attr('gen_ai.usage.output_tokens', u.output),
                    attr('gen_ai.usage.cache_read.input_tokens', u.read),
                    ...(u.write ? [attr('gen_ai.usage.cache_creation.input_tokens', u.write)] : []),
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    count(ms, model, u, 0);
  }
  // Now and then the token metric: a sum of requests already counted.
  if (i % 50 === 0)
    lines.push({
      resourceMetrics: [
        {
          resource: resource('claude-code'),
          scopeMetrics: [
            {
              metrics: [
                { name: 'claude_code.token.usage', sum: { dataPoints: [{ asInt: '123456', timeUnixNano: nano, attributes: [attr('type', 'input')] }], aggregationTemporality: 1, isMonotonic: true } },
              ],
            },
          ],
        },
      ],
    });
}
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'otel-export.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
writeFileSync(join(values.out, 'truth.json'), JSON.stringify(truth, null, 1));
process.stderr.write(`wrote ${lines.length} export lines to ${values.out}\n`);
