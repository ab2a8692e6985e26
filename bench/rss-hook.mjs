// Loaded with `node --import` into the process being measured: writes its peak RSS at exit.
import { writeFileSync } from 'node:fs';

const out = process.env.TOKENTUNE_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
  });
}
