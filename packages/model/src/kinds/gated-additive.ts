import { additiveFusion } from '@mmrecall/gating';
import { gatedLossTerms } from './gated-loss';
import { defineModelKind } from './kind-definition';

/** Gated additive: item = g * meta + (1 - g) * id (the source found it better than concat). */
export const gatedAdditiveKind = defineModelKind({
  kind: 'gated-additive',
  label: 'gated additive',
  towers: { id: true, content: true, gate: true },
  concatenated: false,
  requiredContent: ['tags', 'vectors', 'nodeIds'],
  fuse: ({ id, content, gate, fusedKernels }) =>
    additiveFusion({
      idEmbedding: id!,
      metaEmbedding: content!,
      gate: gate!,
      ...(fusedKernels ? { fusedKernels } : {}),
    }),
  lossTerms: (context) => gatedLossTerms(context, false),
});
