import { delimiterOf, readCsvRecords } from './csv-records';
import type { Delimiter } from './read-interactions-csv';
import {
  createItemRecordSink,
  type ReadItemsJsonlOptions,
  type ReadItemsJsonlResult,
} from './read-items-jsonl';

/** RecBole's column type suffix. */
export const RECBOLE_TYPE = /:(token|token_seq|float|float_seq)$/i;

/** Options of {@link readItemsCsv}: the record options of `readItemsJsonl` plus the CSV layout. */
export interface ReadItemsCsvOptions extends ReadItemsJsonlOptions {
  /** Field delimiter. Default: tab for `.tsv`/`.tab`/`.item`, comma otherwise. */
  delimiter?: Delimiter;
  /** Separator of several values in one tags/categorical cell. Default: `|`. */
  listSeparator?: string;
}

/**
 * Reads an item table in CSV/TSV with a header. Tags and categorical cells hold one value or several
 * separated by `listSeparator`; a vector cell holds numbers separated by spaces (RecBole's
 * `float_seq`) or by commas inside quotes. RecBole's type suffixes are dropped from the names
 * (`genre:token_seq` is the field `genre`, its values split at spaces). The record rules and error kinds of `readItemsJsonl`
 * apply, with the header's column names as the fields and an empty cell as an absent field.
 */
export async function readItemsCsv(options: ReadItemsCsvOptions): Promise<ReadItemsJsonlResult> {
  const { path: file, onProgress, maxLineLength, delimiter, listSeparator = '|', ...recordOptions } = options;
  const sink = createItemRecordSink({ ...recordOptions, file });
  const listFields = new Set([recordOptions.tagsField ?? 'tags', ...(recordOptions.categoricalFields ?? [])]);
  const vectorFields = new Set(recordOptions.vectorFields ?? []);
  let names: string[] = [];
  let spaceLists = new Set<string>();
  const cellValue = (name: string, raw: string): unknown => {
    if (raw.trim().length === 0) return undefined;
    if (listFields.has(name))
      return raw
        .split(spaceLists.has(name) ? /\s+/ : listSeparator)
        .map((value) => value.trim())
        .filter((value) => value !== '');
    if (vectorFields.has(name)) {
      return raw
        .trim()
        .split(/[\s,]+/)
        .map((entry) => {
          const value = Number(entry);
          return Number.isNaN(value) ? entry : value;
        });
    }
    return raw;
  };
  await readCsvRecords({
    path: file,
    delimiter: delimiterOf(file, delimiter),
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    reject: sink.reject,
    onHeader: (header) => {
      // RecBole atomic files type their columns (`genre:token_seq`): the field is the bare name.
      names = header.map((name) => name.replace(RECBOLE_TYPE, ''));
      spaceLists = new Set(names.filter((_, k) => /:token_seq$/i.test(header[k] as string)));
    },
    onRow: (line, cells) => {
      const record: Record<string, unknown> = {};
      for (let k = 0; k < names.length; k++) {
        const value = cellValue(names[k] as string, cells[k] as string);
        if (value !== undefined) record[names[k] as string] = value;
      }
      sink.accept({ line, record });
    },
    ...(onProgress ? { onProgress } : {}),
    rows: () => sink.report.rows,
  });
  return sink.finish();
}
