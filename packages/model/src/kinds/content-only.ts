import { defineModelKind } from './kind-definition';

/** Content-only two-tower: user tower vs content tower (tags, vectors, node ids), one softmax. */
export const contentOnlyKind = defineModelKind({
  kind: 'content-only',
  label: 'content-only two-tower',
  towers: { id: false, content: true, gate: false },
  concatenated: false,
  requiredContent: ['tags', 'vectors', 'nodeIds'],
  fuse: ({ content }) => content as NonNullable<typeof content>,
  lossTerms: ({ query, views, extraViews, retrieval }) => [
    { name: 'retrieval/content', loss: retrieval(query, views.content!, extraViews?.content), weight: 1 },
  ],
});
