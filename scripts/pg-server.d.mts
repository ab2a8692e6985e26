import type pg from 'pg';

export interface RealPostgres {
  /** A superuser URL (trust authentication on 127.0.0.1). */
  url: string;
  port: number;
  /** A client of its own, for holding locks and terminating sessions. */
  client: () => Promise<pg.Client>;
  /** Stops the server at once, as a crash would. */
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}
export function pgBin(): string | undefined;
export function startRealPostgres(): Promise<RealPostgres>;
