export { InvalidSearchSpaceError } from './errors';
export {
  type ChoiceDimension,
  checkTrials,
  type ParseSearchSpaceOptions,
  parseSearchSpace,
  type RangeDimension,
  type ReadSearchSpaceOptions,
  readSearchSpace,
  type SearchDimension,
  type SearchSpace,
} from './search-space';
export { aggregateOverSeeds, meanAndStd } from './seed-statistics';
export { type PlanTrialsOptions, planTrials, type TrialPlan, type TrialSettings } from './trials';
export { type RunTuningOptions, runTuning, type TrialRecord, type TuningResult } from './tune';
export { type TuningMarkdownOptions, tuningMarkdown } from './tuning-markdown';
