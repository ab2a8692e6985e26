export const AUTOPACK_PG_DDL: string;
export function copyToPostgres(sqlitePath: string, client: { query(sql: string, params?: unknown[]): Promise<unknown> }, o?: { batch?: number; onlyNew?: boolean }): Promise<void>;
