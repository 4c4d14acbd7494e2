import { concatFusion } from '@mmrecall/gating';
import { gatedLossTerms } from './gated-loss';
import { defineModelKind } from './kind-definition';

/** Gated concat: item = concat(id, g * meta), user = concat(u_id, u_meta), each half normalised. */
export const gatedConcatKind = defineModelKind({
  kind: 'gated-concat',
  label: 'gated concat',
  towers: { id: true, content: true, gate: true },
  concatenated: true,
  requiredContent: ['tags', 'vectors', 'nodeIds'],
  fuse: ({ id, content, gate }) => concatFusion({ idEmbedding: id!, metaEmbedding: content!, gate: gate! }),
  lossTerms: (context) => gatedLossTerms(context, true),
});
