import * as z from 'zod';
import { ModelPrice } from '../pricing/index.js';
import { SOURCE_FORMATS, SOURCES } from '../sources/index.js';
import { LAYOUT_NAMES } from '../targets/index.js';

/**
 * The tuner config (`tuner.yaml`). Strict objects everywhere: a misspelt key is an error naming its
 * path, not a silently ignored setting. Every rule boundary is here with the default from the
 * cost-tuning brief.
 */

const ratio = z.number().min(0).max(1);
const positive = z.number().positive();

export const SourceFormat = z.enum(SOURCE_FORMATS);

const Source = z
  .strictObject({
    /** Optional for formats with a known home (claude-code: the Claude Code config directories; codex: $CODEX_HOME/sessions). */
    path: z.string().min(1).optional().describe("A telemetry file, or a directory of the format's files; relative to this config"),
    /**
     * A database by URL, for formats read from one (autopack-db): `sqlite:///autopack.db` as SQLAlchemy
     * writes it, or `postgres://user@host:5432/db`, whose password comes from the environment.
     */
    url: z
      .string()
      .regex(/^(sqlite:\/\/\/.|postgres(ql)?:\/\/)/, 'expected sqlite:///relative/path, sqlite:////absolute/path or postgres://user@host/db')
      // In any form (user:password@, ?password=): a URL is shown and stored; a password never is.
      .refine(
        (u) => !/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(u) && !/[?&](ssl)?password=/i.test(u),
        'holds a password: leave it out, and set PGPASSWORD (or the variable named by password_env) in the environment',
      )
      .optional()
      .describe('A database by URL instead of path: sqlite:///relative.db, sqlite:////absolute.db or postgres://user@host/db (no password)'),
    /** The environment variable holding a Postgres source's password (default: PGPASSWORD). */
    password_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional()
      .describe('The environment variable holding a Postgres password (default PGPASSWORD)'),
    /**
     * How long a Postgres source waits: a server that does not answer, a statement that runs on, a
     * table locked by another session. A nightly check must end, and it holds our state's lock.
     */
    timeouts: z
      .object({
        connect_seconds: z.number().positive().max(3600).default(10).describe('Seconds to wait for a connection'),
        statement_seconds: z.number().positive().max(86_400).default(300).describe('Seconds one query may run'),
        lock_seconds: z.number().positive().max(3600).default(10).describe('Seconds a query waits for a lock another session holds'),
      })
      .strict()
      .prefault({})
      .describe('Timeouts of a Postgres source (defaults: connect 10 s, statement 300 s, lock 10 s)'),
    category_tag: z.string().min(1).max(64).optional().describe("For format litellm: the tag prefix that names a request's category (default category:, as in category:docs)"),
    format: SourceFormat.default('tokentune-jsonl').describe("What the source holds: the tokentune export, Claude Code transcripts, Codex CLI sessions, Autopack's or Myco's database"),
  })
  .refine((s) => !(s.path !== undefined && s.url !== undefined), { message: 'give path or url, not both', path: ['url'] })
  .refine((s) => s.category_tag === undefined || s.format === 'litellm', { message: 'only format litellm reads category tags', path: ['category_tag'] })
  .refine((s) => s.path !== undefined || s.url !== undefined || SOURCES.some((a) => a.format === s.format && a.home), { message: 'required for this format', path: ['path'] });

export const TargetPreset = z.enum(LAYOUT_NAMES);
export type TargetPreset = z.infer<typeof TargetPreset>;

const Target = z.strictObject({
  path: z.string().min(1).describe('A config file tokentune tunes; relative to this config'),
  /** A layout, or `autopack`: its models.yaml or its project ruleset (*.json), by the file's name. */
  preset: z.enum([...LAYOUT_NAMES, 'autopack']).describe('The layout of the file: seed-models, seed-strategy, autopack (models.yaml or project ruleset, by name) or myco (.myco/myco.yaml)'),
});

const Window = z.strictObject({
  /** Days of data analysed, ending on the day of the newest record (or --until). */
  days: z.number().int().positive().default(28),
});

const DowngradeRule = z.strictObject({
  min_success_rate: ratio.default(0.9),
  max_retries_per_phase: z.number().nonnegative().default(0.5),
  /** "Usage far below the cap": P95 of tokens under this share of the cap. */
  max_cap_utilisation: ratio.default(0.7),
  /**
   * Steps down a key takes in a row by itself. A cheaper model's cost in success is known only once it
   * runs the work, and a week on a bad one costs more than the replay's tolerance: one by default.
   */
  max_steps: z.number().int().min(1).max(5).default(1),
});

const UpgradeRule = z.strictObject({
  max_success_rate: ratio.default(0.75),
  min_retries_per_phase: z.number().nonnegative().default(1.5),
  /** These two do not gate an upgrade; meeting both raises its confidence. */
  min_cap_utilisation: ratio.default(0.8),
  min_failure_cost_multiple: positive.default(2),
  /** Share of the failure waste a stronger model is assumed to remove, for the pilot's projection. */
  assumed_failure_reduction: ratio.default(0.5),
});

const CapRule = z.strictObject({
  reduce_below: ratio.default(0.7),
  increase_above: ratio.default(0.95),
  calibrated_low: ratio.default(0.7),
  calibrated_high: ratio.default(0.9),
  /** New cap = P95 × (1 + headroom), widened when history is short, rounded up to a readable step. */
  headroom: z.number().min(0).max(2).default(0.15),
  /** Proposed caps that move less than this share of the current cap are not worth a change. */
  min_change: ratio.default(0.1),
  /** On truncations the observed P95 is censored at the cap; raise by at least this share. */
  min_increase_on_truncation: z.number().min(0).max(2).default(0.25),
  /**
   * Phases cut off at the cap, as a share of phases under it, that raise the cap. A cut never goes
   * below P99, so it stays under this share itself: the two rules cannot undo each other.
   */
  max_truncation_rate: ratio.default(0.02),
});

const CiRule = z.strictObject({
  /** CI profiles from lightest to strictest. */
  ladder: z.array(z.string().min(1)).min(2).default(['ci_minimal', 'ci_standard', 'ci_strict']),
  max_catch_rate: ratio.default(0.1),
  min_false_positive_rate: ratio.default(0.2),
  /** Failed phases in tiers whose CI ran, over phases in those tiers. */
  max_escape_rate: ratio.default(0.15),
  /** Categories that may step CI down. Empty: any category whose phases are mostly low complexity. */
  low_risk_categories: z.array(z.string()).default([]),
});

const RunBudgetRule = z.strictObject({
  percentile: z.number().min(50).max(100).default(95),
  headroom: z.number().min(0).max(2).default(0.1),
});

const TurnRule = z.strictObject({
  reduce_below: ratio.default(0.5),
  increase_above: ratio.default(0.95),
  /** New budget = P95 of the turns finished runs used × (1 + headroom), widened when history is short. */
  headroom: z.number().min(0).max(2).default(0.2),
  /** Budgets that would move by less than this share (and by less than one turn) are kept. */
  min_change: ratio.default(0.1),
  /**
   * Runs of a phase stopped at maxTurns, as a share of the runs in which it acted, that raise its
   * budget; a cut never goes below P99, so it stays under this share itself.
   */
  max_cap_hit_rate: ratio.default(0.05),
  /** Runs stopped at the budget hide what they needed: raise by at least this share. */
  min_increase_on_cap_hit: z.number().min(0).max(2).default(0.25),
});

const CadenceRule = z.strictObject({
  /** A scheduled task with at least this share of no-op runs gets twice its interval… */
  backoff_noop_share: ratio.default(0.5),
  /** …up to this many seconds. */
  max_interval_seconds: z.number().int().positive().default(86_400),
  /** A scheduled task with at most this share of no-op runs (every run finds work) gets half its interval… */
  busy_noop_share: ratio.default(0),
  /** …down to this many seconds. */
  min_interval_seconds: z.number().int().positive().default(900),
  /** The interval is what spaces a task's runs when their median gap is within this factor of it; otherwise a change of it would do nothing. */
  max_gap_ratio: z.number().min(1).default(1.5),
});

const SpikeRule = z.strictObject({
  /** A task's mean cost per run over the last this many days is compared with the same span before it… */
  days: z.number().int().positive().default(7),
  /** …and flagged at this multiple or more… */
  ratio: z.number().min(1).default(3),
  /** …with at least this many priced runs on each side. */
  min_runs: z.number().int().positive().default(3),
});

const Rules = z.strictObject({
  /** Below this many phases in the window a category gets "needs more data", never a change. */
  min_phases: z.number().int().positive().default(10),
  downgrade: DowngradeRule.prefault({}),
  upgrade: UpgradeRule.prefault({}),
  cap: CapRule.prefault({}),
  ci: CiRule.prefault({}),
  run_budget: RunBudgetRule.prefault({}),
  /** Turn budgets of scheduled tasks' phases (Myco's maxTurns). */
  turns: TurnRule.prefault({}),
  /** How often scheduled tasks run (Myco's schedule.intervalSeconds). */
  cadence: CadenceRule.prefault({}),
  /** Cost spikes of scheduled tasks, flagged in the report. */
  cost_spike: SpikeRule.prefault({}),
  /** A rule-made cap or budget moves at most this share of its current value per proposal; larger gaps converge over several. */
  max_move: z.number().positive().max(10).default(0.5),
  /** Days after a change in which no move against it is proposed, unless its outcome is worse. */
  cooldown_days: z.number().int().nonnegative().default(28),
  outcome: z
    .strictObject({
      /** An applied change whose success rate fell by more than this (0.05: five points) is worse: a revert is proposed. */
      max_success_drop: ratio.default(0.05),
      /** …with at least this chance given both samples (Beta posteriors): a revert is proposed at the next run. */
      harm_probability: ratio.default(0.9),
    })
    .prefault({}),
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const Retirement = z.strictObject({ retires: isoDate, successor: z.string().min(1), deprecated: isoDate.optional(), source: z.string().optional(), checked: isoDate.optional() });

const Models = z.strictObject({
  /** Per provider family, cheapest first. Downgrades step one rung down, upgrades one rung up. */
  ladders: z.record(z.string(), z.array(z.string().min(1)).min(2)).default({
    anthropic: ['claude-haiku-5-5', 'claude-haiku-4-5', 'claude-sonnet-5-5', 'claude-opus-5-5'],
    openai: ['gpt-4o-mini', 'gpt-4o'],
  }),
  aliases: z.record(z.string(), z.string()).default({}),
  /** Extra or overriding retirement dates: model → when it stops serving and what replaces it. */
  retirements: z.record(z.string(), Retirement).default({}),
  /** A configured model retiring within this many days gets a migration change. */
  retirement_horizon_days: z.number().int().nonnegative().default(60),
});

const Pricing = z.strictObject({
  /** Extra or overriding prices, LiteLLM field names. */
  models: z.record(z.string(), ModelPrice).default({}),
  /** Output share assumed for a model whose calls were never seen, when costing phase totals. */
  default_output_share: ratio.default(0.2),
});

const Ingest = z.strictObject({
  /** Parsing threads for large inputs; 'auto' uses the machine's cores (at most 4). */
  workers: z.union([z.literal('auto'), z.number().int().min(1).max(16)]).default('auto'),
  /** Inputs smaller than this are parsed on the main thread alone. */
  parallel_min_bytes: z
    .number()
    .int()
    .nonnegative()
    .default(32 * 1024 * 1024),
  /** A record stamped more than this many minutes in the future is a bad line, never a hold. */
  max_future_minutes: z.number().nonnegative().default(60),
  /** A token count above this is a bad line: no call or phase could have used it. */
  max_tokens: z.number().int().positive().default(100_000_000),
  /** Any other count (retries, attempts, turns, CI runs and their failures) above this is a bad line. */
  max_count: z.number().int().positive().default(100_000),
  /**
   * A line longer than this is a bad line, skipped without being held in memory: a parsing thread
   * has a bounded heap, and no usage record is that long (an image pasted into a prompt can be).
   */
  max_line_bytes: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
});

const Llm = z.strictObject({
  enabled: z.boolean().default(true),
  /** The tuning model: the current Sonnet (claude-sonnet-4-5 reaches end of life on 2026-11-30). */
  model: z.string().default('claude-sonnet-5-5'),
  max_tokens: z.number().int().positive().default(4096),
  timeout_seconds: z.number().positive().default(120),
  /** Retries of 408/409/429/5xx and timeouts, by the SDK, with its back-off. */
  max_retries: z.number().int().min(0).max(10).default(3),
  /** Send the request through the Message Batches API at half price, and wait for it. */
  batch: z.boolean().default(false),
  batch_poll_seconds: z.number().positive().default(15),
  batch_deadline_minutes: z.number().positive().default(60),
  /** The tuner's own LLM spend per calendar month (UTC); over it, runs are rules-only. */
  monthly_budget_usd: z.number().nonnegative().nullable().default(null),
  guardrails: z
    .strictObject({
      /** A new cap or budget may be at most this multiple of the observed P95… */
      max_p95_multiple: z.number().min(1).default(2),
      /** …and move at most this share of the current value in one proposal. */
      max_move: z.number().positive().max(10).default(0.5),
    })
    .prefault({}),
});

const State = z.strictObject({
  /** Where tokentune keeps its state; default $XDG_STATE_HOME/tokentune/<hash of this config's path>. */
  dir: z.string().min(1).optional(),
  /** Days of rollups kept; older days are dropped. */
  retention_days: z.number().int().positive().default(120),
});

const Drift = z.strictObject({
  /** A decision's figure that moves more than this share since the last proposal is material drift. */
  tolerance: z.number().min(0).default(0.1),
  /**
   * Session-terminal gating: records newer than this many minutes may belong to a session still
   * running; a file is read up to its first such record, and the rest once it is quiet. Records a
   * later version replaces (Claude Code's streamed responses) are read at once.
   */
  quiet_minutes: z.number().min(0).default(15),
});

const Publish = z.strictObject({
  /** Commit each proposal on a branch of the repository holding the targets; off: record and print only. */
  enabled: z.boolean().default(true),
  /** The git repository the targets live in; default: the one holding the first target file. */
  repo: z.string().min(1).optional(),
  /** Every branch tokentune owns starts with this; open tuning PRs are counted by it. */
  branch_prefix: z.string().min(1).default('tokentune/'),
  /** The proposal branch's name after the prefix. */
  branch: z.string().min(1).default('cost-tuning'),
  /** The branch proposals start from; default: the remote's default branch, else main. */
  base: z.string().min(1).optional(),
  /** The remote the branch is pushed to; unset: the branch stays local. */
  remote: z.string().min(1).optional(),
  author: z
    .strictObject({
      name: z.string().min(1).default('tokentune'),
      email: z.string().min(3).default('tokentune@users.noreply.github.com'),
    })
    .prefault({}),
  github: z
    .strictObject({
      /** owner/name; default: $GITHUB_REPOSITORY (set in GitHub Actions). PRs need $GITHUB_TOKEN too. */
      repository: z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name')
        .optional(),
      /** The REST API; default: $GITHUB_API_URL, else https://api.github.com. */
      api_url: z.url().optional(),
      labels: z.array(z.string().min(1)).default(['cost-tuning']),
      /** Reviewers asked on a new PR: the build-lead. */
      reviewers: z.array(z.string().min(1)).default([]),
      /** Open tuning PRs (head branch under branch_prefix) at most; over it, no new PR is opened. */
      max_open_prs: z.number().int().min(1).default(1),
      /** Per request; a request without an answer by then is retried like a 5xx. */
      timeout_seconds: z.number().positive().default(30),
    })
    .prefault({}),
  /** Where the pull (merge) request is opened; auto: GitLab when the remote's host or publish.gitlab's project or api_url says so, else GitHub. */
  platform: z.enum(['auto', 'github', 'gitlab', 'none']).default('auto'),
  gitlab: z
    .strictObject({
      /** group/subgroup/name; default: the path in the remote's URL. MRs need $GITLAB_TOKEN too. */
      project: z
        .string()
        .regex(/^[\w.-]+(\/[\w.-]+)+$/, 'must be group/name')
        .optional(),
      /** The REST API v4; default: $CI_API_V4_URL, else https://<the remote's host>/api/v4. */
      api_url: z.url().optional(),
      labels: z.array(z.string().min(1)).default(['cost-tuning']),
      /** Usernames asked to review a new MR: the build-lead. */
      reviewers: z.array(z.string().min(1)).default([]),
      assignees: z.array(z.string().min(1)).default([]),
      /** Open tuning MRs (source branch under branch_prefix) at most; over it, no new MR is opened. */
      max_open_mrs: z.number().int().min(1).default(1),
      timeout_seconds: z.number().positive().default(30),
    })
    .prefault({}),
});

const Schedule = z.strictObject({
  /** Cron expression of the drift check (`tune daemon`); 5 fields, or 6 with seconds first. */
  check: z.string().min(1).default('0 3 * * *'),
  /** Cron expression of the tuning run that may open a PR. */
  tune: z.string().min(1).default('0 4 * * 1'),
  /** IANA time zone the expressions are read in. */
  timezone: z.string().min(1).default('UTC'),
});

const Amounts = z.record(z.string().min(1), z.number().positive());

const Budgets = z.strictObject({
  /** The whole fleet's budget for a calendar month (UTC), in USD; none: no fleet budget. */
  monthly_usd: z.number().positive().optional().describe("The fleet's budget for a calendar month (UTC), in USD"),
  /** Budgets of parts of the fleet, by name: a project (Claude Code's), an agent, a phase category. */
  project: Amounts.default({}).describe('Monthly USD by project'),
  agent: Amounts.default({}).describe('Monthly USD by agent (a role or a subagent type)'),
  category: Amounts.default({}).describe('Monthly USD by phase category'),
  /** Shares of a budget that raise an alert, each once a month. */
  thresholds: z.array(z.number().positive().max(10)).min(1).default([0.8, 0.95, 1]).describe('Shares of a budget that raise an alert, each once a month'),
  /** The variable holding the webhook's URL (a Slack-compatible incoming webhook): a secret, never in the file. */
  webhook_url_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
    .default('TOKENTUNE_WEBHOOK_URL')
    .describe("The environment variable holding the alert webhook's URL"),
  /** How an alert is posted: each attempt's time limit, and retries after the first, backing off. */
  webhook_timeout_seconds: z.number().positive().default(10),
  webhook_retries: z.number().int().min(0).max(10).default(3),
  webhook_backoff_seconds: z.number().min(0).default(2).describe('The first wait before a retry; each next wait doubles'),
});

export const TunerConfig = z.strictObject({
  version: z.literal(1).default(1).describe('The config format version'),
  project: z.string().min(1).default('project').describe('Shown in reports, prompts and pull requests'),
  sources: z.array(Source).min(1, 'at least one source is required').describe('Where the usage telemetry is'),
  targets: z.array(Target).default([]).describe('The config files proposals change'),
  window: Window.prefault({}).describe('The analysed days'),
  rules: Rules.prefault({}).describe('Every boundary of the tuning rules'),
  models: Models.prefault({}).describe('Model ladders (cheapest first), aliases and retirements'),
  pricing: Pricing.prefault({}).describe("Extra or overriding prices, in LiteLLM's field names"),
  ingest: Ingest.prefault({}).describe('How telemetry is read'),
  llm: Llm.prefault({}).describe('The LLM step (with ANTHROPIC_API_KEY set)'),
  state: State.prefault({}).describe('Where run state is kept, and for how long'),
  drift: Drift.prefault({}).describe('The drift gate'),
  publish: Publish.prefault({}).describe('The proposal branch and pull request'),
  schedule: Schedule.prefault({}).describe('The schedules of tune daemon'),
  budgets: Budgets.prefault({}).describe('Monthly budgets, their alerts and where they are posted'),
});
export type TunerConfig = z.infer<typeof TunerConfig>;
export type RulesConfig = TunerConfig['rules'];
export type BudgetsConfig = TunerConfig['budgets'];
