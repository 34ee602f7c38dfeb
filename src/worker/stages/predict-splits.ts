// Stage 2: CU-split prediction. The CNN split predictor arrives in a later issue; until then this stage
// is an honest pass-through: it produces no hints, so the encoder runs its full partition search.
import type { StageContext } from '../context.js';
import type { PreparedInput } from './prepare.js';

export interface SplitPrediction {
  /** Path of a split-hints file for the encoder, or undefined when no model is used. */
  splitHints?: string;
  model: string | null;
  note: string;
}

export async function predictSplits(ctx: StageContext, _input: PreparedInput): Promise<SplitPrediction> {
  const note = 'no model yet: encoder runs its full partition search';
  ctx.log.info(note);
  return { splitHints: undefined, model: null, note };
}
