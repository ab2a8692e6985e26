import type { CallRecord, TaskPhase, TaskRunRecord, TelemetryRecord } from '../../src/sources/records.js';
import { readTargets, type TargetState } from '../../src/targets/read.js';

/** The day the generated runs end on (exclusive): they run up to its midnight. */
export const END = Date.parse('2026-11-20T00:00:00Z');

export interface PhaseSpec {
  name: string;
  /** Turns used, cycled over the runs. */
  turns: number[];
  /** The first this many acting runs stop at `allowed` turns. */
  capHits?: number;
  /** The budget the runs report on a cap hit. */
  allowed?: number;
}

/**
 * `n` finished runs of one task, evenly over `days` days before END, each with a call record of its
 * usage: the first `noops` of them found nothing to do (their phases after the first skipped), the
 * first `failed` failed.
 */
export function taskRuns(
  task: string,
  n: number,
  o: { phases: PhaseSpec[]; model?: string; provider?: string; days?: number; noops?: number; failed?: number; cost?: number; noopCost?: number; from?: number; idPrefix?: string },
): TelemetryRecord[] {
  const days = o.days ?? 14;
  const from = o.from ?? END - days * 86_400_000;
  const spacing = (END - from) / n;
  const provider = o.provider ?? 'anthropic';
  const local = provider === 'ollama' || provider === 'lmstudio';
  const model = o.model ?? 'claude-sonnet-5-5';
  const out: TelemetryRecord[] = [];
  const hits = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const ts = Math.floor(from + (i + 0.5) * spacing);
    const noop = i < (o.noops ?? 0);
    const phases: TaskPhase[] = o.phases.map((p, k) => {
      if (noop && k > 0) return { name: p.name, turns: 0, tokens: 0, cap_hit: false, allowed_turns: undefined, failed: false, idle: true };
      const done = hits.get(p.name) ?? 0;
      const capHit = done < (p.capHits ?? 0);
      if (capHit) hits.set(p.name, done + 1);
      const turns = capHit ? p.allowed! : p.turns[i % p.turns.length]!;
      return { name: p.name, turns, tokens: turns * 5000, cap_hit: capHit, allowed_turns: capHit ? p.allowed : undefined, failed: false, idle: false };
    });
    const tokens = phases.reduce((s, p) => s + p.tokens, 0);
    const run: TaskRunRecord = {
      kind: 'task_run',
      ts,
      started_ts: ts - 60_000,
      run_id: `${o.idPrefix ?? task}-${i}`,
      task,
      provider,
      model,
      outcome: i < (o.failed ?? 0) ? 'failed' : 'success',
      tokens,
      cost_usd: local ? 0 : noop ? (o.noopCost ?? 0.05) : (o.cost ?? 0.4),
      local,
      noop,
      phases,
    };
    const call: CallRecord = {
      kind: 'call',
      ts,
      run_id: run.run_id,
      phase_id: undefined,
      role: task,
      provider,
      model,
      input_tokens: Math.round(tokens * 0.2),
      output_tokens: Math.round(tokens * 0.1),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: Math.round(tokens * 0.7),
      cost_usd: run.cost_usd,
    };
    out.push(run, call);
  }
  return out;
}

/** A `.myco/myco.yaml` read as the myco layout. */
export function mycoTargets(yaml: string): TargetState {
  return readTargets([{ path: '/t/myco.yaml', display: 'myco.yaml', preset: 'myco', text: yaml }]);
}

/** A myco.yaml with one task block. */
export function mycoYaml(task: string, block: string, global = 'claude-sonnet-5-5'): string {
  const indented = block
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => `      ${l}`)
    .join('\n');
  return `# project settings\nagent:\n  provider:\n    type: anthropic\n    model: ${global}\n  tasks:\n    ${task}:\n${indented}\n`;
}
