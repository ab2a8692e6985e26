import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The tuner's own LLM spend, one JSON line per call, appended. Every run that spends money records
 * it — dry runs too, because the money is spent either way — so the monthly budget holds.
 */
export interface SpendEntry {
  ts: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
  dry_run: boolean;
}

const FILE = 'llm-spend.jsonl';

export async function recordSpend(dir: string, entry: SpendEntry): Promise<void> {
  await mkdir(dir, { recursive: true });
  await appendFile(join(dir, FILE), `${JSON.stringify(entry)}\n`);
}

/** USD spent in the UTC calendar month of `now`. A line that does not parse is ignored, not fatal. */
export async function spentThisMonth(dir: string, now: Date): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), 'utf8');
  } catch {
    return 0;
  }
  const month = now.toISOString().slice(0, 7);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as Partial<SpendEntry>;
      if (typeof e.ts === 'string' && e.ts.startsWith(month) && typeof e.cost_usd === 'number') total += e.cost_usd;
    } catch {
      // a torn last line from a crash: skip it
    }
  }
  return total;
}
