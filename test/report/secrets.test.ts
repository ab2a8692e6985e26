import { describe, expect, it } from 'vitest';
import { redact, registerSecretVariable } from '../../src/common/secrets.js';

describe('secrets in messages', () => {
  it('redacts the values of the secret variables and anything shaped like a key', () => {
    const env = { ANTHROPIC_API_KEY: 'plain-but-long-secret', GITHUB_TOKEN: 'ghp_0123456789abcdefghijKLMN', MY_DB_PASS: 'hunter2hunter2', PGPASSWORD: 'x' };
    registerSecretVariable('MY_DB_PASS');
    const text = [
      'invalid x-api-key: plain-but-long-secret',
      'Bad credentials: ghp_0123456789abcdefghijKLMN',
      'also sk-ant-api03-AAAAAAAAAAAAAAAA and github_pat_11ABCDEFG0123456789_abcdefghij and glpat-abcdefghij0123456789',
      'password authentication failed: hunter2hunter2',
      // A one-letter password is not hunted through every word.
      'x marks the spot',
    ].join('\n');
    const out = redact(text, env);
    for (const secret of ['plain-but-long-secret', 'ghp_0123', 'sk-ant-api03', 'github_pat_', 'glpat-', 'hunter2hunter2']) expect(out).not.toContain(secret);
    expect(out.match(/\[redacted\]/g)).toHaveLength(6);
    expect(out).toContain('x marks the spot');
  });
});
