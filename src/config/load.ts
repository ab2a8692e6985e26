import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import * as z from 'zod';
import { CONFIG_NAMES, ConfigError, formatZodIssues, registerSecretVariable } from '../common/index.js';
import { TunerConfig, type TargetPreset } from './schema.js';
import { BUNDLED_PRICES, BUNDLED_RETIREMENTS, closestModels } from '../pricing/index.js';
import { blendedPricePerToken, priceOf, type Pricing } from '../pricing/index.js';
import { sourceAdapter, type CursorOptions } from '../sources/index.js';

export interface LoadedConfig {
  /** Absolute path of the config file; relative paths inside it resolve against its folder. */
  file: string;
  config: TunerConfig;
  pricing: Pricing;
  sources: { path: string; format: TunerConfig['sources'][number]['format']; server?: CursorOptions }[];
  targets: { path: string; preset: TargetPreset }[];
}

export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint = (CONFIG_NAMES as readonly string[]).includes(basename(path)) ? ': run `tune init` to write one here, or name a config with --config' : '';
    throw new ConfigError(code === 'ENOENT' ? `${path}: config file not found${hint}` : `${path}: ${(e as Error).message}`);
  }
  const loaded = parseConfig(text, file);
  // A source that is not there is named by its key here, before anything is read.
  loaded.config.sources.forEach((src, i) => {
    const local = src.path ?? (src.url?.startsWith('sqlite:///') ? src.url.slice('sqlite:///'.length) : undefined);
    if (local !== undefined && !existsSync(resolve(dirname(file), local))) {
      throw new ConfigError(`${path}: sources[${i}].${src.path !== undefined ? 'path' : 'url'}: ${resolve(dirname(file), local)}: no such file or directory`);
    }
  });
  return loaded;
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (e) {
    if (e instanceof YAMLParseError) throw new ConfigError(`${file}: ${e.message}`);
    // The yaml library refuses alias bombs and the like with a plain error: still the config's fault.
    if (e instanceof Error && /alias|anchor|depth|nest/i.test(e.message)) throw new ConfigError(`${file}: not a usable YAML document: ${e.message}`);
    throw e;
  }
  const parsed = TunerConfig.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${file}: invalid config\n  ${formatZodIssues(parsed.error, '', (path) => keysAt(TunerConfig, path)).join('\n  ')}`);
  }
  const config = parsed.data;
  const dir = dirname(file);
  // A webhook URL carries its token: no message shows it.
  registerSecretVariable(config.budgets.webhook_url_env);
  const pricing: Pricing = {
    table: { ...BUNDLED_PRICES, ...config.pricing.models },
    aliases: config.models.aliases,
    retirements: { ...BUNDLED_RETIREMENTS, ...config.models.retirements },
  };
  checkLadders(config, pricing, file);
  return {
    file,
    config,
    pricing,
    sources: config.sources.flatMap((s, i) => {
      if (s.path !== undefined) return [{ path: resolve(dir, s.path), format: s.format }];
      // As SQLAlchemy reads it: what follows sqlite:/// is the path, relative (here: to the config) or
      // absolute (sqlite:////abs/path).
      // The variable a password is read from holds a secret: no message shows its value.
      if (s.password_env) registerSecretVariable(s.password_env);
      if (s.url !== undefined && !s.url.startsWith('sqlite:')) {
        const t = s.timeouts;
        return [
          {
            path: s.url,
            format: s.format,
            server: {
              passwordEnv: s.password_env,
              connectSeconds: t.connect_seconds,
              statementSeconds: t.statement_seconds,
              lockSeconds: t.lock_seconds,
              ...(s.category_tag !== undefined ? { categoryTag: s.category_tag } : {}),
            },
          },
        ];
      }
      if (s.url !== undefined) return [{ path: resolve(dir, s.url.slice('sqlite:///'.length)), format: s.format }];
      const home = sourceAdapter(s.format).home!;
      const { roots, tried } = home.find(env);
      if (!roots.length) throw new ConfigError(`${file}: sources[${i}]: no ${home.what} found (looked in ${tried.join(', ')}); set ${home.variable} or the source's path`);
      return roots.map((path) => ({ path, format: s.format }));
    }),
    targets: config.targets.map((t) => ({ path: resolve(dir, t.path), preset: t.preset === 'autopack' ? (t.path.endsWith('.json') ? 'autopack-ruleset' : 'autopack-models') : t.preset })),
  };
}

/** A ladder is only useful if every rung is priced and each costs more than the one below it. */
function checkLadders(config: TunerConfig, pricing: Pricing, file: string): void {
  const share = config.pricing.default_output_share;
  const mix = { input: 1 - share, output: share, cache_creation: 0, cache_read: 0 };
  for (const [family, ladder] of Object.entries(config.models.ladders)) {
    let previous = -1;
    ladder.forEach((model, i) => {
      const price = priceOf(pricing, model);
      const key = `models.ladders.${family}[${i}]`;
      if (!price) {
        const near = closestModels(pricing, model);
        throw new ConfigError(
          `${file}: ${key}: model "${model}" is not in the price table${near.length ? ` (did you mean ${near.map((m) => `"${m}"`).join(', ')}?)` : ''}; add it under pricing.models if it is right`,
        );
      }
      const perToken = blendedPricePerToken(price, mix);
      if (perToken <= previous) {
        throw new ConfigError(`${file}: ${key}: "${model}" is not dearer than "${ladder[i - 1]}"; ladders go cheapest first`);
      }
      previous = perToken;
    });
  }
}

/** The keys an object of the schema takes at `path` (array indexes and wrappers passed through). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType | undefined): z.ZodType | undefined => {
    for (let i = 0; s && i < 10; i++) {
      const def = (s as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType } }).def;
      if (def.innerType) s = def.innerType;
      else if (def.type === 'pipe' && def.in) s = def.in;
      else return s;
    }
    return s;
  };
  for (const key of path) {
    at = unwrap(at);
    const def = (at as unknown as { def?: { type: string; element?: z.ZodType } } | undefined)?.def;
    if (def?.type === 'array') at = def.element;
    else if (at instanceof z.ZodObject) at = (at.shape as Record<string, z.ZodType>)[String(key)];
    else return [];
  }
  at = unwrap(at);
  return at instanceof z.ZodObject ? Object.keys(at.shape) : [];
}
