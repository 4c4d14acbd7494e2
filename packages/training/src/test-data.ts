import { generateSyntheticDataset } from '@mmrecall/synthetic';
import { prepareTrainingData, type TrainingData } from './training-data';

/** The synthetic `tiny` preset (seed 42) as the CLI loads it: the training tests' data set. */
export function tinyTrainingData(): TrainingData {
  const { dataset, split } = generateSyntheticDataset({ preset: 'tiny', seed: 42 });
  return prepareTrainingData({ name: 'synthetic-tiny', dataset, split });
}
