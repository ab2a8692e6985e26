import type { RenderedPrompt } from './prompt.js';
import { LlmAnswer } from './answer.js';
import { zodIssues } from '../sources/index.js';
import { redact } from '../common/index.js';

/**
 * The one place that talks to the Anthropic API, through the official SDK. It sends the cached
 * system block and the per-run statistics, asks for the structured answer, sends one repair request
 * when the answer does not validate, and meters every billed response at the wire — including the
 * ones that failed validation — so the tuner's own spend is always known.
 */

export interface LlmCallOptions {
  apiKey: string;
  /** Undefined: the SDK's default, which honours ANTHROPIC_BASE_URL. */
  baseURL: string | undefined;
  model: string;
  maxTokens: number;
  timeoutMs: number;
  maxRetries: number;
  batch: { enabled: boolean; pollMs: number; deadlineMs: number };
  /** Abandons the request (the daemon's SIGTERM); the SDK then throws its user-abort error. */
  signal?: AbortSignal;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface LlmCallResult {
  answer: LlmAnswer | null;
  /** Why there is no answer: the run falls back to the rules and says this. */
  failure: string | null;
  /** Every billed token, batch or not. */
  usage: Usage;
  /** The part of `usage` billed at half price through the Message Batches API. */
  batch_usage: Usage;
  batched: boolean;
  repaired: boolean;
  requests: number;
  latency_ms: number;
}

export async function askForProposal(prompt: RenderedPrompt, o: LlmCallOptions): Promise<LlmCallResult> {
  const started = Date.now();
  const [{ default: Anthropic, APIError, APIConnectionTimeoutError, APIConnectionError }, { zodOutputFormat }] = await Promise.all([
    import('@anthropic-ai/sdk'),
    import('@anthropic-ai/sdk/helpers/zod'),
  ]);
  const usage = emptyUsage();
  const batchUsage = emptyUsage();
  let requests = 0;
  let lastText = '';
  const meter = (u: Partial<Usage> | undefined, into: Usage = usage) => {
    if (!u) return;
    for (const k of USAGE_KEYS) into[k] += u[k] ?? 0;
  };
  // Every successful /v1/messages response is billed, whether or not its content validates.
  const meteredFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (res.ok && /\/v1\/messages(\?|$)/.test(url)) {
      requests++;
      try {
        const body = (await res.clone().json()) as { usage?: Usage; content?: { type: string; text?: string }[] };
        meter(body.usage);
        lastText = (body.content ?? [])
          .filter((b) => b.type === 'text')
          .map((b) => b.text ?? '')
          .join('');
      } catch {
        // not JSON: the SDK reports that itself
      }
    }
    return res;
  };
  const client = new Anthropic({ apiKey: o.apiKey, baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: o.maxRetries, fetch: meteredFetch });
  const format = zodOutputFormat(LlmAnswer);
  // Two cache breakpoints: the system block, and the per-run statistics after it. The system block
  // alone is below the API's minimum cacheable length; with the statistics, a repair request reads
  // the whole prefix back from the cache at a tenth of the input price.
  const ephemeral = { type: 'ephemeral' as const };
  const system = [{ type: 'text' as const, text: prompt.system, cache_control: ephemeral }];
  const stats = { role: 'user' as const, content: [{ type: 'text' as const, text: prompt.user, cache_control: ephemeral }] };
  const done = (answer: LlmAnswer | null, failure: string | null, repaired: boolean, batched = false): LlmCallResult => ({
    answer,
    failure,
    usage: sumUsage(usage, batchUsage),
    batch_usage: batchUsage,
    batched,
    repaired,
    requests,
    latency_ms: Date.now() - started,
  });

  const describe = (e: unknown): string => {
    if (e instanceof APIConnectionTimeoutError) return `the API did not answer within ${o.timeoutMs / 1000} s (after ${o.maxRetries} retries)`;
    if (e instanceof APIError && e.status !== undefined) {
      const retried = e.status === 429 || e.status >= 500 || e.status === 408 || e.status === 409;
      return `the API answered ${e.status}${retried ? ` after ${o.maxRetries} retries` : ''}: ${redact(oneLine(e.message))}`;
    }
    if (e instanceof APIConnectionError) return `could not reach the API: ${oneLine(e.message)}`;
    return `the LLM call failed: ${oneLine((e as Error).message)}`;
  };

  // A structured answer that does not validate gets one repair request carrying the errors.
  const validate = (text: string): { answer: LlmAnswer } | { issues: string } => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return { issues: `not valid JSON: ${(e as Error).message}` };
    }
    const parsed = LlmAnswer.safeParse(json);
    return parsed.success ? { answer: parsed.data } : { issues: zodIssues(parsed.error) };
  };

  type Turn = typeof stats | { role: 'user' | 'assistant'; content: string };
  // The same request, sent directly or through a batch.
  const params = (messages: Turn[]) => ({ model: o.model, max_tokens: o.maxTokens, system, messages, output_config: { format } });
  const request = (messages: Turn[]) => client.messages.parse(params(messages), { signal: o.signal });

  let firstText: string;
  try {
    if (o.batch.enabled) {
      const batched = await viaBatch(client, params([stats]), o, (u) => meter(u, batchUsage));
      if ('failure' in batched) return done(null, batched.failure, false, true);
      const first = validate(batched.text);
      if ('answer' in first) return done(first.answer, null, false, true);
      firstText = batched.text;
      lastText = batched.text;
    } else {
      const message = await request([stats]);
      if (message.parsed_output) return done(message.parsed_output, null, false);
      firstText = lastText;
    }
  } catch (e) {
    if (e instanceof APIError) return done(null, describe(e), false, o.batch.enabled);
    firstText = lastText;
  }

  const issues = (() => {
    const v = validate(firstText);
    return 'issues' in v ? v.issues : 'no structured answer in the response';
  })();
  try {
    const repaired = await request([
      stats,
      { role: 'assistant', content: firstText || '(no answer)' },
      { role: 'user', content: `That answer does not match the required JSON schema: ${issues}. Reply again with the complete corrected JSON object only.` },
    ]);
    if (repaired.parsed_output) return done(repaired.parsed_output, null, true, o.batch.enabled);
    return done(null, `the answer did not validate (${oneLine(issues)}), and neither did the repair`, true, o.batch.enabled);
  } catch (e) {
    if (e instanceof APIError) return done(null, `${describe(e)} (on the repair request)`, true, o.batch.enabled);
    const again = validate(lastText);
    return done(null, `the answer did not validate (${oneLine(issues)}), and neither did the repair (${oneLine('issues' in again ? again.issues : 'empty')})`, true, o.batch.enabled);
  }
}

type Client = InstanceType<(typeof import('@anthropic-ai/sdk'))['default']>;

/** Submits one request through the Message Batches API (half price) and waits for it, up to a deadline. */
async function viaBatch(
  client: Client,
  params: Parameters<Client['messages']['create']>[0],
  o: LlmCallOptions,
  meter: (u: Partial<Usage> | undefined) => void,
): Promise<{ text: string } | { failure: string }> {
  const batch = await client.messages.batches.create({ requests: [{ custom_id: 'tokentune', params: params as never }] }, { signal: o.signal });
  const deadline = Date.now() + o.batch.deadlineMs;
  let status = batch;
  while (status.processing_status !== 'ended') {
    if (Date.now() >= deadline) {
      await client.messages.batches.cancel(batch.id).catch(() => undefined);
      return { failure: `the batch ${batch.id} did not finish within ${Math.round(o.batch.deadlineMs / 1000)} s; cancelled` };
    }
    await new Promise((r) => setTimeout(r, Math.min(o.batch.pollMs, Math.max(0, deadline - Date.now()))));
    o.signal?.throwIfAborted();
    status = await client.messages.batches.retrieve(batch.id, null, { signal: o.signal });
  }
  for await (const entry of await client.messages.batches.results(batch.id)) {
    if (entry.custom_id !== 'tokentune') continue;
    if (entry.result.type !== 'succeeded') return { failure: `the batch request ${entry.result.type}` };
    const message = entry.result.message;
    meter(message.usage as Partial<Usage>);
    return { text: message.content.map((b) => (b.type === 'text' ? b.text : '')).join('') };
  }
  return { failure: `the batch ${batch.id} ended without a result` };
}

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

export const emptyUsage = (): Usage => ({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

function sumUsage(a: Usage, b: Usage): Usage {
  const out = emptyUsage();
  for (const k of USAGE_KEYS) out[k] = a[k] + b[k];
  return out;
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim().slice(0, 300);
