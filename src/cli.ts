import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './commands/common.js';
import { configHere } from './common/config-here.js';
import { redact } from './common/secrets.js';
import { closest } from './common/closest.js';
import { termText } from './common/escape.js';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * `tune`: argv → command. Only the parsing happens here; each command is imported when it runs, so
 * `tune check` loads no LLM or git code.
 */

/** Without --config: `tokentune.yaml` here, else `.tokentune.yaml` (the message of a missing one says `tune init`). */
const defaultConfig = (): string => configHere() ?? 'tokentune.yaml';
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const EPILOG = `
Exit codes: 0 done; 1 run failed; 2 bad flag, config, input path or state; 3 drift (check
--exit-code); 4 another run holds the state lock.
Environment: ANTHROPIC_API_KEY enables the LLM step; GITHUB_TOKEN (or GH_TOKEN) the pull request
(neither is read from files or logged). XDG_STATE_HOME sets where run state is kept.`;

const config = () => new Option('-c, --config <file>', 'tuner config (default: tokentune.yaml here, else .tokentune.yaml)');
const rebuild = () => new Option('--rebuild-state', 'ignore the stored state and re-read every source from the start');
const quiet = () => new Option('-q, --quiet', 'say nothing on stderr but errors (no progress, no skipped lines, no notes)').conflicts('verbose');
const verbose = () => new Option('--verbose', 'also say what happened to each source file (new, read again, gone, held back)');
const voice = (o: { quiet?: boolean; verbose?: boolean }) => ({ quiet: o.quiet ?? false, verbose: o.verbose ?? false });

export function program(run: (code: Promise<number>) => void): Command {
  // Installed, the same program answers to `tokentune` (what `npx tokentune` runs) and `tune`.
  const p = new Command(basename(process.argv[1] ?? '') === 'tokentune' ? 'tokentune' : 'tune')
    .description(
      'Reads LLM usage telemetry, computes per-category statistics, applies the tuning rules and proposes changes to the target config files (models, token caps, CI profiles, run budgets).',
    )
    .version(version, '-v, --version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EPILOG)
    .showSuggestionAfterError()
    .exitOverride();

  p.command('tune', { isDefault: true })
    .description('propose changes (a drift gate runs first); the default command')
    .addOption(config())
    .option('--dry-run', 'print the report and the diffs; write no state and no file, touch no git')
    .option('--json', 'print one JSON document instead of text')
    .option('--show-prompt', 'also print the rendered LLM prompt (system and user parts)')
    .option('--force', 'go on to the LLM and the proposal even without material drift')
    .option('--since <date>', 'first day analysed, YYYY-MM-DD (default: window.days before --until)')
    .option('--until <date>', 'last day analysed, YYYY-MM-DD (default: the day of the newest record)')
    .addOption(rebuild())
    .option('--no-push', 'commit the proposal branch but do not push it (and open no PR)')
    .addOption(quiet())
    .addOption(verbose())
    .addHelpText(
      'after',
      `
A real run (no --dry-run) commits the changed target files on the proposal branch
(publish.branch_prefix + publish.branch, default tokentune/cost-tuning) without touching your
checkout, pushes it to publish.remote when set, and opens or updates a pull request when
GITHUB_TOKEN and a repository are set.`,
    )
    .action(
      (o: {
        config?: string;
        dryRun?: boolean;
        json?: boolean;
        showPrompt?: boolean;
        force?: boolean;
        since?: string;
        until?: string;
        rebuildState?: boolean;
        push: boolean;
        quiet?: boolean;
        verbose?: boolean;
      }) =>
        run(
          import('./commands/tune.js').then(({ runTuneCommand }) =>
            runTuneCommand({
              configPath: o.config ?? defaultConfig(),
              json: o.json ?? false,
              showPrompt: o.showPrompt ?? false,
              dryRun: o.dryRun ?? false,
              force: o.force ?? false,
              rebuildState: o.rebuildState ?? false,
              since: o.since,
              until: o.until,
              push: o.push,
              voice: voice(o),
            }),
          ),
        ),
    );

  p.command('check')
    .description('the cheap drift check, for cron: prints noop, no-material-drift or drift: <what moved>')
    .addOption(config())
    .option('--json', 'print one JSON document instead of the line')
    .option('--exit-code', 'exit 3 on drift, as git diff --exit-code does')
    .addOption(rebuild())
    .addOption(quiet())
    .addOption(verbose())
    .action((o: { config?: string; json?: boolean; exitCode?: boolean; rebuildState?: boolean; quiet?: boolean; verbose?: boolean }) =>
      run(
        import('./commands/check.js').then(({ runCheckCommand }) =>
          runCheckCommand({ configPath: o.config ?? defaultConfig(), json: o.json ?? false, exitCode: o.exitCode ?? false, rebuildState: o.rebuildState ?? false, voice: voice(o) }),
        ),
      ),
    );

  p.command('report')
    .description('usage and cost by day, week, month, session, project, model, agent or category, from the state (reading what is new first)')
    .argument(
      '<grouping>',
      'daily | weekly | monthly | session | project | model | agent | category | blocks (the 5-hour billing windows) | budget (the monthly budgets) | waste (what agent sessions spent for no work)',
    )
    .addOption(new Option('-c, --config <file>', "tuner config (default: tokentune.yaml here, else Claude Code's transcripts)"))
    .option('-s, --since <date>', 'first day reported, YYYY-MM-DD or YYYYMMDD (in --timezone)')
    .option('-u, --until <date>', 'last day reported, YYYY-MM-DD or YYYYMMDD (in --timezone)')
    .option('-z, --timezone <iana>', "the time zone days are counted in (default: the system's)")
    .option('-j, --json', 'print one JSON document')
    .option('-b, --breakdown', 'a row per model under each row')
    .addOption(new Option('-w, --start-of-week <day>', 'the day weeks start on (monday, as ccusage 20 counts them)').choices(WEEKDAYS).default('monday'))
    .option('-a, --active', 'blocks: only the block the clock is in, with its burn rate and projection')
    .option('--order <id>', "step: the AutoSkillit order whose steps to sum (its sessions' order_id)")
    .option('-O, --offline', 'accepted as ccusage takes it: prices always come from the bundled table and `tune models update`, never fetched by a report')
    .option('--no-color', 'no colour in tables (also NO_COLOR=1; FORCE_COLOR=1 colours a pipe)')
    .addOption(quiet())
    .addOption(
      new Option('-m, --mode <mode>', "cost: the source's own figure where it has one (auto), always from the price table (calculate), or only the source's (display)")
        .choices(['auto', 'calculate', 'display'])
        .default('auto'),
    )
    .action(
      (
        grouping: string,
        o: {
          config?: string;
          since?: string;
          until?: string;
          timezone?: string;
          json?: boolean;
          breakdown?: boolean;
          active?: boolean;
          order?: string;
          startOfWeek: string;
          color: boolean;
          mode: 'auto' | 'calculate' | 'display';
          quiet?: boolean;
        },
      ) => {
        if (grouping === 'step')
          return run(import('./commands/report.js').then(({ runStepCommand }) => runStepCommand({ configPath: o.config, order: o.order, json: o.json ?? false, voice: voice(o) })));
        if (grouping === 'waste') return run(import('./commands/report.js').then(({ runWasteCommand }) => runWasteCommand({ configPath: o.config, json: o.json ?? false, voice: voice(o) })));
        if (grouping === 'budget') return run(import('./commands/report.js').then(({ runBudgetCommand }) => runBudgetCommand({ configPath: o.config, json: o.json ?? false, voice: voice(o) })));
        if (grouping === 'blocks') {
          return run(
            import('./commands/report.js').then(({ runBlocksCommand }) =>
              runBlocksCommand({ configPath: o.config, since: o.since, until: o.until, json: o.json ?? false, active: o.active ?? false, mode: o.mode, color: o.color, voice: voice(o) }),
            ),
          );
        }
        const groupings = ['daily', 'weekly', 'monthly', 'session', 'project', 'model', 'agent', 'category', 'blocks', 'budget', 'waste', 'step'];
        if (!groupings.includes(grouping)) {
          process.stderr.write(`tune: unknown grouping ${JSON.stringify(grouping)}: one of ${groupings.join(', ')}\n`);
          return run(Promise.resolve(EXIT.usage));
        }
        run(
          import('./commands/report.js').then(({ runReportCommand }) =>
            runReportCommand({
              grouping: grouping as 'daily',
              configPath: o.config,
              since: o.since,
              until: o.until,
              timeZone: o.timezone,
              json: o.json ?? false,
              breakdown: o.breakdown ?? false,
              mode: o.mode,
              startOfWeek: WEEKDAYS.indexOf(o.startOfWeek),
              color: o.color,
              voice: voice(o),
            }),
          ),
        );
      },
    );

  p.command('statusline')
    .description("one line for Claude Code's status line (its JSON on stdin): model, session, today and block cost, burn rate; never fails")
    .addOption(new Option('-c, --config <file>', "tuner config (default: tokentune.yaml here, else Claude Code's transcripts)"))
    .action((o: { config?: string }) => run(import('./commands/statusline.js').then(({ runStatuslineCommand }) => runStatuslineCommand({ configPath: o.config, stdin: process.stdin }))));

  p.command('daemon')
    .description('run check and tune on their schedules (schedule.check, schedule.tune); one JSON line per run; stops on SIGINT/SIGTERM')
    .addOption(config())
    .action((o: { config?: string }) => run(import('./commands/daemon.js').then(({ runDaemonCommand }) => runDaemonCommand(o.config ?? defaultConfig()))));

  const models = p.command('models').description('the model table: prices, retirement dates and successors');
  models
    .command('update')
    .description("refresh prices and deprecation dates from LiteLLM's model_prices_and_context_window.json into the state (the bundled table stays the offline default)")
    .addOption(config())
    .option('--url <url>', "where to read the table (default: LiteLLM's on GitHub)")
    .action((o: { config?: string; url?: string }) =>
      run(import('./commands/models.js').then(({ runModelsUpdateCommand }) => runModelsUpdateCommand({ config: o.config ?? defaultConfig(), url: o.url }))),
    );

  p.command('log')
    .description("the usage-tracker's log: one telemetry request (its JSON) on stdin, the task log under token-usage/, the answer as JSON; never fails its caller")
    .option('--dir <dir>', 'where the usage-tracker keeps its files', 'token-usage')
    .action((o: { dir: string }) => run(import('./commands/log.js').then(({ runLogCommand }) => runLogCommand(['--dir', o.dir], process.stdin))));

  p.command('init')
    .description('write a commented tokentune.yaml for the telemetry and config files found here (never overwrites)')
    .option('-d, --dir <dir>', 'the repository to look in and write to', '.')
    .action((o: { dir: string }) => run(import('./commands/init.js').then(({ runInitCommand }) => runInitCommand(o))));

  return p;
}

/** Sets the exit code when the command is done; an unexpected error is printed whole. */
function finish(code: Promise<number>): void {
  code.then(
    (c) => {
      process.exitCode = c;
    },
    (e: unknown) => {
      process.stderr.write(`tune: ${redact((e as Error).stack ?? String(e))}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}

/**
 * A word where a command goes that names none (`tune chek`, `tune help nonsense`): the default command
 * would take it as an argument and answer with commander's "too many arguments".
 */
function unknownCommand(p: Command, argv: readonly string[]): string | undefined {
  const names = p.commands.map((c) => c.name());
  const word = argv[0] === 'help' ? argv[1] : argv[0];
  if (word === undefined || word.startsWith('-') || names.includes(word)) return undefined;
  const near = closest(word, names)[0];
  return `${p.name()}: unknown command "${termText(word)}"${near ? ` (did you mean ${near}?)` : ''}; ${p.name()} --help lists them`;
}

try {
  const p = program(finish);
  const unknown = unknownCommand(p, process.argv.slice(2));
  if (unknown) {
    process.stderr.write(`${unknown}\n`);
    process.exitCode = EXIT.usage;
  } else p.parse(process.argv);
} catch (e) {
  if (!(e instanceof CommanderError)) throw e;
  // Help and version are answers, not errors; commander has printed whichever it was.
  process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
