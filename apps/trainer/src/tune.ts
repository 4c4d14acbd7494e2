import { type RunTuneOptions, runTune, type TrialSettings } from '@mmrecall/experiments';
import { stringify as stringifyYaml } from 'yaml';
import {
  type PartialTrainerConfig,
  resolveTrainerConfig,
  setConfigValue,
  type TrainerConfig,
} from './config';
import type { ProgressStream } from './progress';
import { createFitProgress } from './train-options';

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** `config` with the trial's settings written at their paths (the same paths `--set` takes), validated. */
export function configWithSettings(config: TrainerConfig, settings: TrialSettings): TrainerConfig {
  const target = clone(config) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(settings)) setConfigValue({ target, path, value: clone(value) });
  // Resolved as a file without a name: errors read `config.train.x: ...` with no "(in ...)".
  return resolveTrainerConfig({ file: target });
}

/** The winning config as a YAML file `--config` reads: the base file, the flags and the settings. */
export function winnerConfigYaml(options: {
  baseFile: unknown;
  overrides: PartialTrainerConfig;
  settings: TrialSettings;
  header: string[];
}): string {
  const merged = mergeInto(
    clone((options.baseFile ?? {}) as Record<string, unknown>),
    clone(options.overrides),
  );
  delete merged.output;
  for (const [path, value] of Object.entries(options.settings))
    setConfigValue({ target: merged, path, value });
  return `${options.header.map((line) => `# ${line}`).join('\n')}\n${stringifyYaml(merged)}`;
}

function mergeInto(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(override)) {
    const current = base[key];
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object' &&
      !Array.isArray(current)
    )
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>);
    else if (value !== undefined) base[key] = value;
  }
  return base;
}

/** `mmrecall-train tune`: picks the backend, runs the search and prints the tables. */
export async function commandTune(
  options: Omit<
    RunTuneOptions,
    'backend' | 'log' | 'applySettings' | 'winnerConfig' | 'onFitEvent' | 'config'
  > & {
    /** The base config (file + flags). */
    config: TrainerConfig;
    /** The base config file's own contents and the flag overrides (the winner's YAML is built from them). */
    baseFile?: unknown;
    overrides?: PartialTrainerConfig;
    quiet: boolean;
    io: { stdout: ProgressStream; stderr: ProgressStream };
  },
): Promise<number> {
  const { io, quiet, baseFile, overrides, ...rest } = options;
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const { selectBackend } = await import('@mmrecall/runtime');
  const backend = await selectBackend({ backend: rest.config.backend, log });
  const progress = quiet ? null : io.stderr;
  const result = await runTune({
    ...rest,
    backend: backend.name,
    log,
    applySettings: (config, settings) => configWithSettings(config as TrainerConfig, settings),
    winnerConfig: (settings, header) =>
      winnerConfigYaml({ baseFile, overrides: overrides ?? {}, settings, header }),
    onFitEvent: () => createFitProgress({ log: () => {}, progress }),
  });
  io.stdout.write(
    `${result.markdown}\nwritten: ${result.files.markdown}, ${result.files.json}${result.files.config ? `, ${result.files.config}` : ''}\n`,
  );
  return 0;
}
