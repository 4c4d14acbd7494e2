import { InvalidArgumentError, ShapeMismatchError } from '@mmrecall/errors';
import { describe, expect, it } from 'vitest';
import { fitPosteriorScale, posteriorFeatures } from './posterior-features';

// item 0 popular, item 1 small, item 2 cold (zero statistics, but a smoothed-CTR prior of 0.1)
const statistics = {
  exposures: Float32Array.of(999, 9, 0),
  clicks: Float32Array.of(99, 1, 0),
  ctr: Float32Array.of(0.1, 0.15, 0.1),
  age: Float32Array.of(29, 3, 0),
};

describe('fitPosteriorScale', () => {
  it('takes the maximum of each log feature', () => {
    const scale = fitPosteriorScale({ statistics });
    expect(scale.logExposures).toBeCloseTo(Math.log(1000), 5);
    expect(scale.logClicks).toBeCloseTo(Math.log(100), 5);
    expect(scale.age).toBeCloseTo(Math.log(30), 5);
  });

  it('uses 1 for an all-zero statistic (e.g. no exposure data) so features stay 0', () => {
    const scale = fitPosteriorScale({ statistics: { ...statistics, exposures: new Float32Array(3) } });
    expect(scale.logExposures).toBe(1);
  });
});

describe('posteriorFeatures', () => {
  it('computes the scaled log features by hand and maps a cold item to zeros', () => {
    const features = posteriorFeatures({ ...statistics, indices: Int32Array.of(1, 0, 2) });
    expect(features).toHaveLength(12);
    const expected = [
      [Math.log(10) / Math.log(1000), Math.log(2) / Math.log(100), 0.15, Math.log(4) / Math.log(30)],
      [1, 1, 0.1, 1],
      [0, 0, 0, 0], // cold: the CTR prior does not leak into the features
    ].flat();
    expected.forEach((value, i) => {
      expect(features[i]).toBeCloseTo(value, 6);
    });
  });

  it('applies a given (training) scale to serving items, exceeding 1 above the training max', () => {
    const scale = { logExposures: Math.log(100), logClicks: Math.log(10), age: Math.log(10) };
    const features = posteriorFeatures({ ...statistics, indices: Int32Array.of(0), scale });
    expect(features[0]).toBeCloseTo(1.5, 6);
    expect(features[1]).toBeCloseTo(2, 6);
    expect(features[3]).toBeCloseTo(Math.log(30) / Math.log(10), 6);
  });

  it('featurises every item by default and treats negative age as 0', () => {
    const features = posteriorFeatures({ ...statistics, age: Float32Array.of(29, -5, 0) });
    expect(features).toHaveLength(12);
    expect(features[7]).toBe(0);
  });

  it('rejects mismatched lengths, negative counts, NaN and bad indices', () => {
    expect(() => posteriorFeatures({ ...statistics, clicks: Float32Array.of(1) })).toThrow(
      ShapeMismatchError,
    );
    expect(() => posteriorFeatures({ ...statistics, exposures: Float32Array.of(-1, 0, 0) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => posteriorFeatures({ ...statistics, age: Float32Array.of(Number.NaN, 0, 0) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => posteriorFeatures({ ...statistics, indices: Int32Array.of(3) })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      posteriorFeatures({ ...statistics, scale: { logExposures: 0, logClicks: 1, age: 1 } }),
    ).toThrow(InvalidArgumentError);
  });
});
