import type { Progress } from '../ingest/index.js';

/** A read shorter than this shows no progress at all: no flicker on a small increment. */
const QUIET_MS = 1000;
const EVERY_MS = 250;

const mb = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${Math.round(n / 1e6)} MB`);

/**
 * A progress line on stderr while a long read goes on, on a terminal only: under cron or in a pipe
 * nothing is written. The line is rewritten in place and cleared when the read is done.
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr, enabled = true, clock: () => number = Date.now): { onProgress?: (p: Progress) => void; done: () => void } {
  if (!enabled || !stream.isTTY) return { done: () => {} };
  let shown = false;
  let last = 0;
  return {
    onProgress: (p) => {
      const now = clock();
      const elapsed = now - p.started_ms;
      if (elapsed < QUIET_MS || now - last < EVERY_MS) return;
      last = now;
      const s = elapsed / 1000;
      const records = `${p.records.toLocaleString('en-US')} records (${Math.round(p.records / s).toLocaleString('en-US')}/s)`;
      let text: string;
      if (p.total_bytes > 0 && p.bytes < p.total_bytes) {
        const rate = p.bytes / s;
        const left = rate > 0 ? Math.ceil((p.total_bytes - p.bytes) / rate) : 0;
        text = `reading ${mb(p.bytes)} of ${mb(p.total_bytes)} (${Math.floor((100 * p.bytes) / p.total_bytes)}%), ${records}, ${mb(rate)}/s, about ${left} s left`;
      } else text = `reading ${records}`;
      stream.write(`\r\x1b[2Ktune: ${text}`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
