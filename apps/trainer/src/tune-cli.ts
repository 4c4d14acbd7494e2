import { InvalidArgumentError } from '@mmrecall/errors';
import { TUNE_METRICS, type TuneMetric } from '@mmrecall/experiments';
import { InvalidSearchSpaceError, readSearchSpace } from '@mmrecall/tuning';
import { type CliIo, configFromFlags, overridesFromFlags } from './cli-app';
import { readConfigFile } from './config';
import { UsageError } from './errors';
import { commandTune, configWithSettings } from './tune';

function integerFlag(flag: string, text: unknown, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isInteger(value) || value < min)
    throw new UsageError(`--${flag}: must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/** Parses the tune flags, the base config and the search space (one-line usage errors), then runs tune. */
export async function prepareTune(options: {
  values: Record<string, string | boolean | string[] | undefined>;
  io: CliIo;
}): Promise<number> {
  const { values, io } = options;
  const trials = integerFlag('trials', values.trials, 1);
  const seeds = integerFlag('seeds', values.seeds, 1);
  let minutes: number | undefined;
  if (values.minutes !== undefined) {
    minutes = Number(values.minutes);
    if (
      typeof values.minutes !== 'string' ||
      values.minutes.trim() === '' ||
      !(minutes > 0) ||
      !Number.isFinite(minutes)
    )
      throw new UsageError(`--minutes: must be a number > 0, got ${JSON.stringify(values.minutes)}`);
  }
  const metric = (values.metric as string | undefined) ?? 'recall';
  if (!TUNE_METRICS.includes(metric as TuneMetric))
    throw new UsageError(
      `--metric: must be one of ${TUNE_METRICS.join(', ')}, got ${JSON.stringify(metric)}`,
    );
  const config = await configFromFlags(values);
  const baseFile =
    typeof values.config === 'string' ? await readConfigFile({ path: values.config }) : undefined;
  const overrides = overridesFromFlags(values);
  let space: Awaited<ReturnType<typeof readSearchSpace>>;
  try {
    space = await readSearchSpace({
      path: values.space as string,
      checkSetting: (path, value) => {
        configWithSettings(config, { [path]: value });
      },
    });
  } catch (error) {
    if (InvalidSearchSpaceError.isInstance(error) || InvalidArgumentError.isInstance(error))
      throw new UsageError(error.message, { cause: error });
    throw error;
  }
  if (trials === undefined && space.trials === undefined && space.dimensions.some((d) => d.type === 'range'))
    throw new UsageError(
      `${space.file}: budget.trials: is required when the space has a range { min, max } (or pass --trials)`,
    );
  return commandTune({
    config,
    baseFile,
    overrides,
    space,
    ...(trials === undefined ? {} : { trials }),
    ...(minutes === undefined ? {} : { minutes }),
    ...(seeds === undefined ? {} : { seeds }),
    metric: metric as TuneMetric,
    quiet: values.quiet === true,
    io,
  });
}
