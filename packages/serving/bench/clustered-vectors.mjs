// Seeded clustered unit vectors shared by the serving benchmarks: random unit centres, each point
// a centre plus N(0, spread^2 / dim) noise, L2-normalised.

import { createRandom } from '@mmrecall/random';

export function gaussian(seed) {
  const uniform = createRandom(seed);
  let spare;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12)));
    const a = 2 * Math.PI * uniform();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

/** Returns `points(rows, seed)`: rows x dim clustered unit vectors around fixed seeded centres. */
export function createClusteredVectors({ clusters, dim, spread, seed }) {
  const normaliseRow = (out, offset) => {
    let n = 0;
    for (let d = 0; d < dim; d++) n += out[offset + d] ** 2;
    const s = 1 / Math.sqrt(n);
    for (let d = 0; d < dim; d++) out[offset + d] *= s;
  };
  const centreRandom = gaussian(seed);
  const centres = new Float32Array(clusters * dim).map(() => centreRandom());
  for (let c = 0; c < clusters; c++) normaliseRow(centres, c * dim);
  return (rows, pointSeed) => {
    const next = gaussian(pointSeed);
    const pick = createRandom(pointSeed ^ 0x9e3779b9);
    const out = new Float32Array(rows * dim);
    const noise = spread / Math.sqrt(dim);
    for (let r = 0; r < rows; r++) {
      const c = Math.floor(pick() * clusters);
      for (let d = 0; d < dim; d++) out[r * dim + d] = centres[c * dim + d] + noise * next();
      normaliseRow(out, r * dim);
    }
    return out;
  };
}
