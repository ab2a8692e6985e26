export const USAGE = `Usage: tune [options]

Reads LLM usage telemetry, computes per-category statistics, applies the tuning rules and proposes
changes to the target config files (models, token caps, CI profiles, run budgets).

Options:
  -c, --config <file>   tuner config (default: tokentune.yaml in the current directory)
      --dry-run         print the report and the diffs; write nothing, touch no git
      --json            print one JSON document instead of the report (with --dry-run)
      --show-prompt     also print the rendered LLM prompt (system and user parts)
      --since <date>    first day analysed, YYYY-MM-DD (default: window.days before --until)
      --until <date>    last day analysed, YYYY-MM-DD (default: the day of the newest record)
  -h, --help            show this help
  -v, --version         print the version

Exit codes: 0 done; 1 run failed; 2 bad flag, bad config or bad input path.
Environment: ANTHROPIC_API_KEY enables the LLM step (never read from files, never logged).
`;
