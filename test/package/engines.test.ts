import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('the Node versions the package promises', () => {
  it('are supported by every package npm ci installs, and named in the README', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path && p.engines && !Array.isArray(p.engines) && p.engines.node && !semver.satisfies(oldest, p.engines.node))
      .map(([path, p]) => `${path.replace(/^node_modules\//, '')} wants node ${(p.engines as { node: string }).node}`);
    // npm would warn EBADENGINE for each of these on the oldest Node the README names.
    expect(refusing, `package.json engines ${pkg.engines.node}`).toEqual([]);
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`Node ${semver.major(oldest)}.${semver.minor(oldest)} or later`);
  });
});
