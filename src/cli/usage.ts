export const USAGE = `Usage: tune [options]          propose changes (a drift gate runs first)
       tune check [options]    the cheap drift check, for cron
       tune daemon [options]   run check and tune on their schedules (schedule.check, schedule.tune)

Reads LLM usage telemetry, computes per-category statistics, applies the tuning rules and proposes
changes to the target config files (models, token caps, CI profiles, run budgets).

Options:
  -c, --config <file>   tuner config (default: tokentune.yaml in the current directory)
      --dry-run         print the report and the diffs; write no state and no file, touch no git
      --json            print one JSON document instead of text
      --show-prompt     also print the rendered LLM prompt (system and user parts)
      --force           go on to the LLM and the proposal even without material drift
      --since <date>    first day analysed, YYYY-MM-DD (default: window.days before --until)
      --until <date>    last day analysed, YYYY-MM-DD (default: the day of the newest record)
      --rebuild-state   ignore the stored run state and re-read every source from the start
      --exit-code       (check) exit 3 on drift, as git diff --exit-code does
      --no-push         commit the proposal branch but do not push it (and open no PR)
  -h, --help            show this help
  -v, --version         print the version

tune check prints one line: noop (nothing new), no-material-drift (new data, same decisions) or
drift: <what moved>. tune daemon prints one JSON line per run and stops on SIGINT/SIGTERM.

Exit codes: 0 done; 1 run failed; 2 bad flag, config, input path or state file; 3 drift (check
--exit-code); 4 another run holds the state lock.
A real run (no --dry-run) commits the changed target files on the proposal branch
(publish.branch_prefix + publish.branch, default tokentune/cost-tuning) without touching your
checkout, pushes it to publish.remote when set, and opens or updates a pull request when
GITHUB_TOKEN and a repository are set.

Environment: ANTHROPIC_API_KEY enables the LLM step; GITHUB_TOKEN (or GH_TOKEN) the pull request
(neither is read from files or logged). XDG_STATE_HOME sets where run state is kept.
`;
