import type { RandomSource } from '@mmrecall/random';

/** Standard normal draw (Box-Muller) from a uniform source. */
export function gaussian(random: RandomSource): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
