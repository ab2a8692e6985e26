import { fmtUsd, termText } from '../common/index.js';
import { EXIT } from './common.js';

/**
 * `tokentune statusline`: the line Claude Code shows under its prompt. It sends a JSON document on
 * stdin (session id, transcript path, model, workspace); the answer is one line: the model, this
 * session's cost, today's, the active 5-hour block's with the time left, and its burn rate. Reading is
 * incremental through the state, so a call reads only what Claude Code wrote since the last one. It
 * never fails its caller: any problem is a short line and exit 0.
 */
export async function runStatuslineCommand(o: { configPath: string | undefined; stdin: NodeJS.ReadableStream; now?: Date }): Promise<number> {
  try {
    const input = parseInput(await readAll(o.stdin));
    const { runStatus } = await import('../run/index.js');
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const s = await runStatus({
      configPath: o.configPath,
      timeZone,
      mode: 'auto',
      env: process.env,
      ...(input.sessionId ? { sessionId: input.sessionId } : {}),
      ...(input.transcriptPath ? { transcriptPath: input.transcriptPath } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
    const parts = [termText(input.model ?? 'Claude'), `${s.sessionCost === null ? '—' : fmtUsd(s.sessionCost)} session`, `${fmtUsd(s.todayCost)} today`];
    if (s.block) {
      const left = Math.max(0, Math.round((Date.parse(s.block.endTime) - (o.now ?? new Date()).getTime()) / 60_000));
      parts.push(`${fmtUsd(s.block.costUSD)} block (${Math.floor(left / 60)}h ${String(left % 60).padStart(2, '0')}m left)`);
      if (s.block.burnRate) parts.push(`${fmtUsd(s.block.burnRate.costPerHour)}/h`);
    }
    process.stdout.write(`${parts.join(' | ')}\n`);
  } catch (e) {
    process.stdout.write(`tokentune: ${termText(((e as Error).message ?? String(e)).split('\n')[0]!.slice(0, 80))}\n`);
  }
  return EXIT.ok;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** What the status line uses of Claude Code's document; anything missing is left out, not an error. */
function parseInput(text: string): { sessionId?: string; transcriptPath?: string; model?: string } {
  if (!text.trim()) return {};
  let doc: { session_id?: unknown; transcript_path?: unknown; model?: { display_name?: unknown; id?: unknown } };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw new Error('stdin is not the JSON document Claude Code sends');
  }
  const model = typeof doc.model?.display_name === 'string' ? doc.model.display_name : typeof doc.model?.id === 'string' ? doc.model.id : undefined;
  return {
    ...(typeof doc.session_id === 'string' ? { sessionId: doc.session_id } : {}),
    ...(typeof doc.transcript_path === 'string' ? { transcriptPath: doc.transcript_path } : {}),
    ...(model ? { model } : {}),
  };
}
