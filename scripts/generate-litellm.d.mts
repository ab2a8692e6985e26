import type pg from 'pg';
export const LITELLM_DDL: string;
export function fillLiteLlm(
  client: pg.Client,
  o: { days?: number; end: string; seed?: number; perDay?: number },
): Promise<Record<string, { input: number; output: number; cache_read: number; cache_creation: number; spend: number; requests: number }>>;
