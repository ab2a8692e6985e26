// LiteLLM's daily rollup tables in Postgres, as its proxy's migrations create them, filled with
// generated requests of known truth: per day, model and category tag (`category:<name>`, some requests
// untagged, some with a second tag that is not a category), the sums LiteLLM keeps per user and per tag.
// `fillLiteLlm(client, { days, end, seed })` returns the truth: per day, model and category, the sums a
// correct reader reports (uncached input apart from cached, as Anthropic bills it).
import { rng } from './rng.mjs';

export const LITELLM_DDL = ['DailyUserSpend', 'DailyTagSpend']
  .map(
    (t) => `CREATE TABLE IF NOT EXISTS "LiteLLM_${t}" (
  "id" TEXT NOT NULL PRIMARY KEY, ${t === 'DailyUserSpend' ? '"user_id" TEXT NOT NULL' : '"tag" TEXT'}, "date" TEXT NOT NULL, "api_key" TEXT NOT NULL,
  "model" TEXT, "model_group" TEXT, "custom_llm_provider" TEXT, "mcp_namespaced_tool_name" TEXT,
  "prompt_tokens" BIGINT NOT NULL DEFAULT 0, "completion_tokens" BIGINT NOT NULL DEFAULT 0,
  "cache_read_input_tokens" BIGINT NOT NULL DEFAULT 0, "cache_creation_input_tokens" BIGINT NOT NULL DEFAULT 0,
  "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, "api_requests" BIGINT NOT NULL DEFAULT 0,
  "successful_requests" BIGINT NOT NULL DEFAULT 0, "failed_requests" BIGINT NOT NULL DEFAULT 0,
  "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS "LiteLLM_${t}_date_idx" ON "LiteLLM_${t}"("date");`,
  )
  .join('\n');

const MODELS = ['claude-sonnet-5-5', 'claude-haiku-4-5', 'gpt-5'];
const CATEGORIES = ['backend', 'docs', 'tests', null];
const USERS = ['alice', 'bob', 'ci-bot'];

/** Requests of `days` days up to `end` (YYYY-MM-DD), summed as LiteLLM keeps them; the truth of them. */
export async function fillLiteLlm(client, { days = 10, end, seed = 3, perDay = 60 }) {
  await client.query(LITELLM_DDL);
  const rand = rng(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const users = new Map();
  const tags = new Map();
  const truth = {};
  const add = (map, key, row, r) => {
    const x = map.get(key) ?? map.set(key, { ...row, prompt: 0, completion: 0, read: 0, write: 0, spend: 0, n: 0, ok: 0, failed: 0 }).get(key);
    x.prompt += r.prompt;
    x.completion += r.completion;
    x.read += r.read;
    x.write += r.write;
    x.spend += r.spend;
    x.n++;
    if (r.ok) x.ok++;
    else x.failed++;
  };
  const endMs = Date.parse(`${end}T00:00:00Z`);
  for (let d = days - 1; d >= 0; d--) {
    const date = new Date(endMs - d * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < perDay; i++) {
      const model = MODELS[int(0, MODELS.length - 1)];
      const category = CATEGORIES[int(0, CATEGORIES.length - 1)];
      const user = USERS[int(0, USERS.length - 1)];
      const read = int(0, 40_000);
      const write = int(0, 4_000);
      const r = { prompt: int(10, 3_000) + read + write, completion: int(50, 2_000), read, write, spend: Math.round(rand() * 1e6) / 1e7, ok: rand() > 0.05 };
      add(users, `${user}|${date}|${model}`, { user, date, model }, r);
      if (category) add(tags, `category:${category}|${date}|${model}`, { tag: `category:${category}`, date, model }, r);
      // A second tag that names no category: the reader must not count the request twice.
      if (rand() < 0.5) add(tags, `team:platform|${date}|${model}`, { tag: 'team:platform', date, model }, r);
      const t = (truth[`${date}|${model}|${category ?? 'uncategorised'}`] ??= { input: 0, output: 0, cache_read: 0, cache_creation: 0, spend: 0, requests: 0 });
      t.input += r.prompt - read - write;
      t.output += r.completion;
      t.cache_read += read;
      t.cache_creation += write;
      t.spend += r.spend;
      t.requests++;
    }
  }
  let id = 0;
  const insert = async (table, keyColumn, rows) => {
    for (const x of rows.values())
      await client.query(
        `INSERT INTO "${table}" (id, ${keyColumn}, date, api_key, model, model_group, custom_llm_provider, prompt_tokens, completion_tokens, cache_read_input_tokens, cache_creation_input_tokens, spend, api_requests, successful_requests, failed_requests)
         VALUES ($1, $2, $3, 'sk-hash', $4, $4, 'anthropic', $5, $6, $7, $8, $9, $10, $11, $12)`,
        [`r${seed}-${++id}`, x.user ?? x.tag, x.date, x.model, x.prompt, x.completion, x.read, x.write, x.spend, x.n, x.ok, x.failed],
      );
  };
  await insert('LiteLLM_DailyUserSpend', 'user_id', users);
  await insert('LiteLLM_DailyTagSpend', 'tag', tags);
  return truth;
}
