import { defineModelKind } from './kind-definition';

/** ID-only two-tower: user tower vs behaviour tower, one softmax. */
export const idOnlyKind = defineModelKind({
  kind: 'id-only',
  label: 'ID-only two-tower',
  towers: { id: true, content: false, gate: false },
  concatenated: false,
  requiredContent: [],
  fuse: ({ id }) => id as NonNullable<typeof id>,
  lossTerms: ({ query, views, extraViews, retrieval }) => [
    { name: 'retrieval/id', loss: retrieval(query, views.id!, extraViews?.id), weight: 1 },
  ],
});
