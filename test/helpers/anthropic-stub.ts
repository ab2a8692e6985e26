import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for the Anthropic API that the real SDK talks to through `baseURL`. It speaks the
 * Messages API and the Message Batches API, answers from a script, and records every request.
 */

export type Reply = { answer: unknown; usage?: Partial<Usage> } | { status: number; errorType: string; message?: string } | { hang: true };

interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
}

export interface StubOptions {
  /** Replies to POST /v1/messages, in order; the last one repeats. */
  replies: Reply[];
  /** Batches: how many status polls answer in_progress before the batch ends; Infinity never ends. */
  batchPolls?: number;
  batchAnswer?: unknown;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string };
}

export const DEFAULT_USAGE: Usage = { input_tokens: 2000, output_tokens: 800, cache_creation_input_tokens: 1500, cache_read_input_tokens: 0 };

function message(answer: unknown, usage?: Partial<Usage>) {
  return {
    id: 'msg_stub',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: typeof answer === 'string' ? answer : JSON.stringify(answer) }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { ...DEFAULT_USAGE, ...usage },
  };
}

export async function startAnthropicStub(opts: StubOptions) {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  let replyIndex = 0;
  let polls = 0;
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, contentType = 'application/json') => {
    // retry-after-ms keeps the SDK's back-off short in tests
    res.writeHead(status, { 'content-type': contentType, 'retry-after-ms': '10', 'request-id': `req_${requests.length}` });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const batch = (status: 'in_progress' | 'ended' | 'canceling') => ({
    id: 'msgbatch_stub',
    type: 'message_batch',
    processing_status: status,
    request_counts: { processing: status === 'ended' ? 0 : 1, succeeded: status === 'ended' ? 1 : 0, errored: 0, canceled: 0, expired: 0 },
    ended_at: status === 'ended' ? new Date().toISOString() : null,
    created_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    archived_at: null,
    cancel_initiated_at: status === 'canceling' ? new Date().toISOString() : null,
    results_url: status === 'ended' ? `${base}/v1/messages/batches/msgbatch_stub/results` : null,
  });

  const handler: RequestListener = (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      let json: unknown = null;
      try {
        json = body ? JSON.parse(body) : null;
      } catch {
        json = null;
      }
      requests.push({ method: req.method ?? '', path, headers: req.headers, body, json });
      if (req.method === 'POST' && path === '/v1/messages') {
        const reply = opts.replies[Math.min(replyIndex++, opts.replies.length - 1)]!;
        if ('hang' in reply) return; // never answers; closed by close()
        if ('status' in reply) return send(res, reply.status, { type: 'error', error: { type: reply.errorType, message: reply.message ?? reply.errorType } });
        return send(res, 200, message(reply.answer, reply.usage));
      }
      if (req.method === 'POST' && path === '/v1/messages/batches') return send(res, 200, batch('in_progress'));
      if (req.method === 'GET' && path === '/v1/messages/batches/msgbatch_stub') {
        polls++;
        return send(res, 200, batch(polls > (opts.batchPolls ?? 1) ? 'ended' : 'in_progress'));
      }
      if (req.method === 'POST' && path === '/v1/messages/batches/msgbatch_stub/cancel') return send(res, 200, batch('canceling'));
      if (req.method === 'GET' && path === '/v1/messages/batches/msgbatch_stub/results') {
        const line = { custom_id: 'tokentune', result: { type: 'succeeded', message: message(opts.batchAnswer, {}) } };
        return send(res, 200, `${JSON.stringify(line)}\n`, 'application/binary');
      }
      send(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${path}` } });
    });
  };
  const server = opts.tls ? createTlsServer(opts.tls, handler) : createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    messages: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
