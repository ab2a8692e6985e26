import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTune } from '../../src/run/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';

/** A history read long after it was written keeps what it holds: retention counts from its newest record. */
describe('with the clock a year ahead', () => {
  it.each(['config/tuner.example.yaml', 'config/myco.example.yaml', 'config/autopack.example.yaml'])('%s still gives its proposal, twice over', async (example) => {
    const dir = await tempDir('tokentune-ahead-');
    const env = { XDG_STATE_HOME: dir };
    const now = new Date('2027-12-05T00:00:00Z');
    // A real run first (it prunes), then a dry run over the pruned state.
    const real = await runTune({ configPath: join(ROOT, example), dryRun: false, now, env });
    expect(real.status).toBe('proposal');
    const again = await runTune({ configPath: join(ROOT, example), dryRun: true, now: new Date('2027-12-06T00:00:00Z'), env, force: true });
    expect(again.status).toBe('proposal');
    if (again.status === 'proposal') expect(again.window.until < '2027-01-01').toBe(true);
  });
});
