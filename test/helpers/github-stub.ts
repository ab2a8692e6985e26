import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for the GitHub REST API that the real Octokit talks to through `baseUrl`. It keeps
 * pull requests of one repository in memory, answers the endpoints tokentune uses, records every
 * call, and fails the calls a test scripts to fail.
 */

export interface StubPr {
  number: number;
  state: 'open' | 'closed';
  merged_at: string | null;
  title: string;
  body: string;
  head: string;
  base: string;
  labels: string[];
  reviewers: string[];
}

export interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  json: any;
  auth: string | undefined;
}

export interface Failure {
  method: string;
  path: RegExp;
  status: number;
  body?: unknown;
  /** How many calls fail; then the route answers normally. Default: every call. */
  times?: number;
  /** Never answer (the client's timeout must act). */
  hang?: boolean;
}

export async function startGithubStub(owner = 'acme', repo = 'pipeline') {
  const prs: StubPr[] = [];
  const calls: Call[] = [];
  const failures: Failure[] = [];
  let nextNumber = 1;
  const prefix = `/repos/${owner}/${repo}`;
  const view = (p: StubPr) => ({
    number: p.number,
    html_url: `https://github.example/${owner}/${repo}/pull/${p.number}`,
    state: p.state,
    merged_at: p.merged_at,
    title: p.title,
    body: p.body,
    head: { ref: p.head, label: `${owner}:${p.head}` },
    base: { ref: p.base },
  });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stub');
    const call: Call = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), json: text ? JSON.parse(text) : null, auth: req.headers.authorization };
    calls.push(call);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const failure = failures.find((f) => f.method === call.method && f.path.test(call.path) && (f.times ?? Infinity) > 0);
    if (failure) {
      if (failure.times !== undefined) failure.times--;
      if (failure.hang) return; // closed by close()
      return send(failure.status, failure.body ?? { message: `scripted ${failure.status}` });
    }
    const number = Number(/\/(?:pulls|issues)\/(\d+)/.exec(call.path)?.[1]);
    const pr = prs.find((p) => p.number === number);
    if (call.method === 'GET' && call.path === `${prefix}/pulls`) {
      const state = call.query['state'] ?? 'open';
      const head = call.query['head'];
      return send(200, prs.filter((p) => (state === 'all' || p.state === state) && (!head || `${owner}:${p.head}` === head)).map(view));
    }
    if (call.method === 'POST' && call.path === `${prefix}/pulls`) {
      const { title, body, head, base } = call.json as { title: string; body: string; head: string; base: string };
      if (prs.some((p) => p.state === 'open' && p.head === head)) {
        return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }] });
      }
      const created: StubPr = { number: nextNumber++, state: 'open', merged_at: null, title, body, head, base, labels: [], reviewers: [] };
      prs.push(created);
      return send(201, view(created));
    }
    if (call.method === 'PATCH' && pr && call.path === `${prefix}/pulls/${pr.number}`) {
      Object.assign(pr, call.json);
      return send(200, view(pr));
    }
    if (call.method === 'POST' && pr && call.path === `${prefix}/issues/${pr.number}/labels`) {
      pr.labels.push(...(call.json as { labels: string[] }).labels);
      return send(
        200,
        pr.labels.map((name) => ({ name })),
      );
    }
    if (call.method === 'POST' && pr && call.path === `${prefix}/pulls/${pr.number}/requested_reviewers`) {
      pr.reviewers.push(...(call.json as { reviewers: string[] }).reviewers);
      return send(201, view(pr));
    }
    send(404, { message: 'Not Found' });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    prs,
    calls,
    failures,
    /** A PR made outside the test's runs (by a person, or an earlier tokentune). */
    addPr(p: Partial<StubPr> & Pick<StubPr, 'head'>): StubPr {
      const pr: StubPr = { number: nextNumber++, state: 'open', merged_at: null, title: 'x', body: '', base: 'main', labels: [], reviewers: [], ...p };
      prs.push(pr);
      return pr;
    },
    /** Calls that change something on GitHub. */
    writes: () => calls.filter((c) => c.method !== 'GET'),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
export type GithubStub = Awaited<ReturnType<typeof startGithubStub>>;
