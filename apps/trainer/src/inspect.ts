import type { Interactions } from '@mmrecall/data';
import { type LoadedTrainingData, loadTrainingData } from '@mmrecall/experiments';
import type { TrainerConfig } from './config';

/** Options of {@link inspectTrainingData}. */
export interface InspectTrainingDataOptions {
  /** The resolved config (only `data` is read). */
  config: TrainerConfig;
  /** Progress lines while files are read (e.g. stderr). */
  log?: (line: string) => void;
}

function partLine(name: string, part: Interactions, numItems: number, coldItems: Uint8Array): string {
  const users = new Set<number>();
  const items = new Set<number>();
  let positives = 0;
  let coldRows = 0;
  for (let r = 0; r < part.users.length; r++) {
    users.add(part.users[r] as number);
    items.add(part.items[r] as number);
    if (part.clicks === undefined || part.clicks[r] === 1) {
      positives++;
      if (coldItems[part.items[r] as number] === 1) coldRows++;
    }
  }
  const share = (count: number, total: number) =>
    total > 0 ? ` (${((100 * count) / total).toFixed(1)}%)` : '';
  return `  ${name.padEnd(5)} ${String(part.users.length).padStart(9)} rows ${String(positives).padStart(9)} positives ${String(users.size).padStart(7)} users ${String(items.size).padStart(7)} items${share(items.size, numItems)}; positives on cold items: ${coldRows}${share(coldRows, positives)}`;
}

/** The report of `mmrecall-train inspect`: what training would read, without training. */
export function formatInspection(data: LoadedTrainingData, config: TrainerConfig): string {
  const { dataset, split, numItems } = data;
  let cold = 0;
  for (let i = 0; i < numItems; i++) cold += split.coldItems[i] as number;
  const content = dataset.content;
  const lines = [
    `data:    ${data.summary}`,
    `source:  ${config.data.source}${config.data.path ? ` ${config.data.path}` : ''}; split ${data.splitMethod ?? '?'} (config: ${config.data.split?.method ?? 'auto'})`,
    ...data.notes.map((note) => `  ${note}`),
    `items:   ${numItems} (${cold} cold: no positive training interaction)`,
    `  tags: ${content.tags ? `${content.tags.vocabulary.size} distinct, ${content.tags.values.length} assignments` : 'none'}`,
    ...Object.entries(content.vectors).map(([name, table]) => `  vector ${name}: dim ${table.dim}`),
    `users:   ${data.numUsers}${dataset.userFeatures ? ` (profile: ${dataset.userFeatures.vocabulary.size} features)` : ''}`,
    'split:',
    partLine('train', split.train, numItems, split.coldItems),
    partLine('valid', split.valid, numItems, split.coldItems),
    partLine('test', split.test, numItems, split.coldItems),
  ];
  return lines.join('\n');
}

/** Loads the configured data set as training would and describes it. */
export async function inspectTrainingData(options: InspectTrainingDataOptions): Promise<string> {
  const { log } = options;
  let lastFile = '';
  const data = await loadTrainingData({
    data: options.config.data,
    ...(log
      ? {
          onProgress: (progress) => {
            if (progress.file !== lastFile || progress.bytesRead === progress.totalBytes) {
              lastFile = progress.file;
              log(
                `[mmrecall] reading ${progress.file}: ${(progress.bytesRead / 2 ** 20).toFixed(1)}/${(progress.totalBytes / 2 ** 20).toFixed(1)} MiB, ${progress.rows} rows`,
              );
            }
          },
        }
      : {}),
  });
  return formatInspection(data, options.config);
}
