import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for GitLab's REST API v4 under /api/v4: merge requests of one project and its
 * users, the endpoints tokentune uses, every call recorded with its token header.
 */

export interface StubMr {
  iid: number;
  state: 'opened' | 'closed' | 'merged';
  title: string;
  description: string;
  source_branch: string;
  target_branch: string;
  labels: string[];
  reviewer_ids: number[];
  assignee_ids: number[];
}

export interface GitlabCall {
  method: string;
  path: string;
  query: Record<string, string>;
  json: any;
  token: string | undefined;
}

export async function startGitlabStub(project = 'acme/platform/pipeline', users: Record<string, number> = { 'build-lead': 7, jane: 9 }) {
  const mrs: StubMr[] = [];
  const calls: GitlabCall[] = [];
  let nextIid = 1;
  const prefix = `/api/v4/projects/${encodeURIComponent(project)}/merge_requests`;
  const view = (m: StubMr) => ({ ...m, web_url: `https://gitlab.example/${project}/-/merge_requests/${m.iid}`, labels: m.labels });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    // The raw path: the project's path stays encoded (acme%2Fplatform%2Fpipeline), as GitLab wants it.
    const raw = req.url ?? '/';
    const path = raw.split('?')[0]!;
    const query = Object.fromEntries(new URL(raw, 'http://stub').searchParams);
    const call: GitlabCall = { method: req.method ?? 'GET', path, query, json: text ? JSON.parse(text) : null, token: req.headers['private-token'] as string | undefined };
    calls.push(call);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (call.token !== 'glpat-test-token-123456') return send(401, { message: '401 Unauthorized' });
    if (call.method === 'GET' && path === '/api/v4/users') {
      const id = users[query['username'] ?? ''];
      return send(200, id === undefined ? [] : [{ id, username: query['username'] }]);
    }
    const iid = Number(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\d+)$`).exec(path)?.[1]);
    const mr = mrs.find((m) => m.iid === iid);
    if (call.method === 'GET' && path === prefix) {
      const state = query['state'] ?? 'all';
      return send(200, mrs.filter((m) => (state === 'all' || m.state === state) && (!query['source_branch'] || m.source_branch === query['source_branch'])).map(view));
    }
    if (call.method === 'POST' && path === prefix) {
      const b = call.json as { source_branch: string; target_branch: string; title: string; description: string };
      if (mrs.some((m) => m.state === 'opened' && m.source_branch === b.source_branch)) return send(409, { message: ['Another open merge request already exists for this source branch'] });
      const created: StubMr = {
        iid: nextIid++,
        state: 'opened',
        title: b.title,
        description: b.description,
        source_branch: b.source_branch,
        target_branch: b.target_branch,
        labels: [],
        reviewer_ids: [],
        assignee_ids: [],
      };
      mrs.push(created);
      return send(201, view(created));
    }
    if (call.method === 'PUT' && mr) {
      const b = call.json as Partial<StubMr> & { add_labels?: string };
      if (b.title !== undefined) mr.title = b.title;
      if (b.description !== undefined) mr.description = b.description;
      if (b.add_labels) mr.labels.push(...b.add_labels.split(','));
      if (b.reviewer_ids) mr.reviewer_ids = b.reviewer_ids;
      if (b.assignee_ids) mr.assignee_ids = b.assignee_ids;
      return send(200, view(mr));
    }
    send(404, { message: '404 Not found' });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v4`,
    token: 'glpat-test-token-123456',
    mrs,
    calls,
    writes: () => calls.filter((c) => c.method !== 'GET'),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
