/**
 * Strings that come from telemetry or from the LLM, made safe for where they are shown. They are data:
 * they must not add lines, markup, links, images, mentions or hidden comments to a report or a PR
 * body, nor move the cursor or recolour a terminal.
 */

/** C0 and C1 controls, DEL, and the Unicode bidirectional controls (which reorder what a reader sees). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of Markdown text: no line breaks, no HTML, no links or images, no mentions, no table cells. */
export function mdText(s: string): string {
  return s
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(CONTROLS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`[\]!|#]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b');
}

/** A Markdown code span's content: no backtick to close it early, no line break, no table cell. */
export function mdCode(s: string): string {
  return s
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(CONTROLS, '')
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|');
}

/** Lines of text for a terminal: as termText, but line breaks and tabs stay what they are. */
export function termBlock(s: string): string {
  return s
    .split('\n')
    .map((line) => line.split('\t').map(termText).join('\t'))
    .join('\n');
}

/** Text for a terminal: every control character shown as an escape, never acted on. */
export function termText(s: string): string {
  return s.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
