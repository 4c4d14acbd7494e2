import type { NewItemContent, VectorSpec } from './serving-model';

/** Largest magnitude a float32 holds; larger JSON numbers would become Infinity in the index. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A problem with a PUT body, naming the field. */
export interface ItemContentProblem {
  /** Path of the offending field, e.g. `vectors/image/3`. */
  field: string;
  /** What is wrong. */
  message: string;
}

/** Options of {@link checkItemContent}. */
export interface CheckItemContentOptions {
  /** The parsed body (already shape-checked by the route schema), or stored content with `Float32Array` vectors. */
  body: { tags?: unknown; vectors?: unknown };
  /** Vectors the model reads, with their dimensions and whether they are required. */
  vectorSpecs: Readonly<Record<string, VectorSpec>>;
}

/**
 * Checks a new item's vectors against the model: every required name present, no unknown name,
 * the right length, every value a finite number that fits a float32. Returns the content with
 * `Float32Array` vectors, or the first problem found.
 */
export function checkItemContent(
  options: CheckItemContentOptions,
): { ok: true; content: NewItemContent } | { ok: false; problem: ItemContentProblem } {
  const { body, vectorSpecs } = options;
  const fail = (field: string, message: string) => ({ ok: false as const, problem: { field, message } });
  const vectors = body.vectors;
  if (typeof vectors !== 'object' || vectors === null || Array.isArray(vectors)) {
    return fail('vectors', 'must be an object of named number arrays');
  }
  const given = vectors as Record<string, unknown>;
  const known = Object.keys(vectorSpecs).sort();
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(vectorSpecs, name)) {
      return fail(`vectors/${name}`, `unknown vector "${name}"; this model takes ${describeNames(known)}`);
    }
  }
  const out: Record<string, Float32Array> = {};
  for (const name of known) {
    const { dim, required } = vectorSpecs[name] as VectorSpec;
    const values = given[name];
    if (values === undefined) {
      if (!required) continue;
      return fail(`vectors/${name}`, `missing required vector "${name}" (${dim} numbers)`);
    }
    if (!Array.isArray(values) && !(values instanceof Float32Array)) {
      return fail(`vectors/${name}`, `must be an array of ${dim} numbers`);
    }
    if (values.length !== dim) {
      return fail(`vectors/${name}`, `has ${values.length} values, the model expects dimension ${dim}`);
    }
    const vector = new Float32Array(dim);
    for (let j = 0; j < dim; j++) {
      const value: unknown = values[j];
      if (typeof value !== 'number')
        return fail(`vectors/${name}/${j}`, `must be a number, got ${typeof value}`);
      if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX) {
        return fail(`vectors/${name}/${j}`, `must be a finite float32 number, got ${value}`);
      }
      vector[j] = value;
    }
    out[name] = vector;
  }
  const tags = body.tags;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string'))) {
    return fail('tags', 'must be an array of strings');
  }
  return {
    ok: true,
    content: tags === undefined ? { vectors: out } : { tags: [...(tags as string[])], vectors: out },
  };
}

function describeNames(names: readonly string[]): string {
  return names.length === 0 ? 'no vectors' : names.map((name) => `"${name}"`).join(', ');
}
