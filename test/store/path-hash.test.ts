import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/store/path-hash.js';
import { stateDir } from '../../src/store/paths.js';

describe('sha256Hex, the state directory name hash', () => {
  it('equals node:crypto on every padding boundary and on non-ASCII paths', () => {
    const texts = ['', 'abc', '/home/ci/tuner.yaml', '/srv/Überwachung/配置/tuner.yaml'];
    for (let n = 50; n <= 140; n++) texts.push('x'.repeat(n)); // one and two 64-byte blocks, and the 55/56-byte edge
    for (const t of texts) expect(sha256Hex(t), JSON.stringify(t)).toBe(createHash('sha256').update(t).digest('hex'));
  });

  it('keeps state directories where earlier versions put them', () => {
    const dir = stateDir('/srv/pipeline/tuner.yaml', undefined, { XDG_STATE_HOME: '/state' });
    expect(dir).toBe(`/state/tokentune/${createHash('sha256').update('/srv/pipeline/tuner.yaml').digest('hex').slice(0, 16)}`);
  });
});
