export { additiveFusion, concatFusion, type FusionOptions } from './fusion';
export {
  type FitPosteriorScaleOptions,
  fitPosteriorScale,
  POSTERIOR_FEATURE_COUNT,
  type PosteriorFeaturesOptions,
  type PosteriorScale,
  type PosteriorStatistics,
  posteriorFeatures,
} from './posterior-features';
export { createPosteriorGate, type PosteriorGate, type PosteriorGateOptions } from './posterior-gate';
