import { loadDataFolder } from '@mmrecall/data';
import { createParquetReaders } from '@mmrecall/data/parquet';

const { dataset, given, files, warnings } = await loadDataFolder({
  dir: process.env.MMRECALL_EXAMPLE_DATA ?? 'my-data', // train.parquet, valid.parquet, test.parquet, items.parquet
  parquet: createParquetReaders(),
});
console.log(dataset.users.size, dataset.items.size, given, files, warnings);
