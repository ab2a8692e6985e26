import { createTwoFilesPatch } from 'diff';

/** The lines a change removes (`-…`) and adds (`+…`), in diff order, without context or headers. */
export const changedLines = (a: string, b: string): string[] =>
  createTwoFilesPatch('a', 'b', a, b, '', '', { context: 0 })
    .split('\n')
    .filter((l) => /^[+-][^+-]/.test(l));
