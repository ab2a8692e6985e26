/**
 * Secrets never reach what tokentune prints or stores. A server may echo the credential it refused
 * ("invalid x-api-key: sk-ant-…", "Bad credentials: ghp_…"); messages are passed through `redact`
 * before they are shown, logged or written to the state.
 */

/** The environment variables whose values are secrets wherever they appear. */
export const SECRET_VARIABLES = ['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITLAB_TOKEN', 'PGPASSWORD'] as const;

/** Shapes of keys and tokens, whoever's they are. */
const SHAPES = [
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{16,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
];

const extraNames = new Set<string>();

/** Names another environment variable as holding a secret (a source's `password_env`). */
export function registerSecretVariable(name: string): void {
  extraNames.add(name);
}

/** `text` with every known secret value and every key-shaped string replaced by `[redacted]`. */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of [...SECRET_VARIABLES, ...extraNames]) {
    const value = env[name];
    // Short values ("x", "1") would redact ordinary words; real credentials are longer.
    if (value && value.length >= 8) out = out.split(value).join('[redacted]');
  }
  for (const shape of SHAPES) out = out.replace(shape, '[redacted]');
  return out;
}
