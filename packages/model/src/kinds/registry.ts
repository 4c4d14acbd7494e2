import { checkOneOf } from '@mmrecall/errors';
import { contentOnlyKind } from './content-only';
import { gatedAdditiveKind } from './gated-additive';
import { gatedConcatKind } from './gated-concat';
import { idOnlyKind } from './id-only';
import type { ModelKindDefinition } from './kind-definition';
import { multiviewKind } from './multiview';

// A new kind is a new module in this folder plus its entry here; nothing else lists kinds.
const DEFINITIONS = [idOnlyKind, contentOnlyKind, multiviewKind, gatedConcatKind, gatedAdditiveKind] as const;

/** The model kinds of MODEL.md (`id-only`, `content-only`, `multiview`, `gated-concat`, `gated-additive`). */
export type ModelKind = (typeof DEFINITIONS)[number]['kind'];

/** Every kind, in the order reports list them. */
export const MODEL_KINDS: readonly ModelKind[] = DEFINITIONS.map((definition) => definition.kind);

const BY_KIND = new Map<string, ModelKindDefinition<ModelKind>>(
  DEFINITIONS.map((definition) => [definition.kind, definition]),
);

/** True when `value` names a registered kind. */
export function isModelKind(value: unknown): value is ModelKind {
  return typeof value === 'string' && BY_KIND.has(value);
}

/** The definition of a kind; InvalidArgumentError naming `argument` for an unknown one. */
export function modelKindDefinition(kind: string, argument = 'kind'): ModelKindDefinition<ModelKind> {
  return BY_KIND.get(
    checkOneOf({ argument, value: kind, allowed: MODEL_KINDS }),
  ) as ModelKindDefinition<ModelKind>;
}

/** Display label of a kind (e.g. `gated additive`). */
export function modelKindLabel(kind: ModelKind): string {
  return modelKindDefinition(kind).label;
}
