import type { ChangeKind } from '../targets/index.js';

/** Something the report should say that is not a change: kept values, missing data, limits hit. */
export interface Finding {
  kind:
    | 'needs_more_data'
    | 'keep'
    | 'below_min_change'
    | 'not_in_target'
    | 'no_rung'
    | 'no_telemetry'
    /** Telemetry ran another model than the targets configure for a key. */
    | 'model_mismatch'
    /** A configured model the price table does not know, or that is on no ladder. */
    | 'model_name'
    /** A change held back: a cool-down after an opposite move, or a cap waiting for a new model's data. */
    | 'held'
    /** A scheduled task whose cost per run jumped against the span before. */
    | 'cost_spike';
  category: string | null;
  area: ChangeKind | 'cost';
  message: string;
}

/** Why a change was not made, as the kind of finding the report files it under and the reason in words. */
export interface Refusal {
  refused: Finding['kind'];
  reason: string;
}

export const refuse = (kind: Finding['kind'], reason: string): Refusal => ({ refused: kind, reason });

export const isRefusal = (x: object): x is Refusal => 'refused' in x;
