/** Sets the exit code when the command is done; an unexpected error is printed whole. */
export function finish(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tune: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
