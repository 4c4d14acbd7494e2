import { defaultExperimentConfig, type ExperimentConfig } from './experiment-config';

type Overrides = { [Section in keyof ExperimentConfig]?: Partial<ExperimentConfig[Section]> | string };

/** Test helper: the default config with each given section's fields replaced (no validation). */
export function testConfig(overrides: Overrides = {}): ExperimentConfig {
  const config = defaultExperimentConfig();
  const merged: Record<string, unknown> = { ...config };
  for (const [section, value] of Object.entries(overrides)) {
    const base = config[section as keyof ExperimentConfig];
    merged[section] = typeof value === 'object' && typeof base === 'object' ? { ...base, ...value } : value;
  }
  return merged as unknown as ExperimentConfig;
}
