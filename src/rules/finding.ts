import type { ChangeKind } from '../targets/index.js';

/** Something the report should say that is not a change: kept values, missing data, limits hit. */
export interface Finding {
  kind: 'needs_more_data' | 'keep' | 'below_min_change' | 'not_in_target' | 'no_rung' | 'no_telemetry';
  category: string | null;
  area: ChangeKind;
  message: string;
}

