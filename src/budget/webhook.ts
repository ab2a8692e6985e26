/**
 * Posts an alert to a Slack-compatible incoming webhook (`{"text": …}`), retrying a network error, a
 * 429 or a 5xx after a wait that doubles each time. Never throws: the caller logs a failure and goes
 * on (an alert never fails a run), and posts again on its next run.
 */
export interface PostOptions {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  /** Waits between attempts; a test passes its own. */
  sleep?: (ms: number) => Promise<void>;
}

export async function postAlert(url: string, text: string, o: PostOptions): Promise<{ ok: true } | { ok: false; error: string }> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let error = '';
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) await sleep(o.backoffMs * 2 ** (attempt - 1));
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }), signal: AbortSignal.timeout(o.timeoutMs) });
      // The body is read so the connection is released; what it says does not matter.
      await res.text().catch(() => '');
      if (res.ok) return { ok: true };
      error = `HTTP ${res.status}`;
      if (res.status !== 429 && res.status < 500) break;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer within ${o.timeoutMs / 1000} s` : (e as Error).message;
    }
  }
  return { ok: false, error };
}
