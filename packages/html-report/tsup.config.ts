import { createTsupConfig } from '@mmrecall/build/tsup';

export default createTsupConfig();
