import { describe, expect, test } from 'vitest';

import { CliUsageError, parseCliOptions } from './cli-options';

describe('parseCliOptions', () => {
  test('defaults', () => {
    expect(parseCliOptions({ argv: ['--artifacts', 'out/a'] })).toEqual({
      help: false,
      options: {
        artifactsDir: 'out/a',
        port: 8080,
        host: '127.0.0.1',
        index: 'hnsw',
        hnsw: {},
        backend: 'auto',
        bodyLimit: 1_048_576,
        logLevel: 'info',
        journal: undefined,
        readTimeoutMs: 120_000,
      },
    });
  });

  test('every option', () => {
    const parsed = parseCliOptions({
      argv: [
        '--artifacts=x',
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--index',
        'exact',
        '--hnsw-connectivity',
        '8',
        '--hnsw-expansion-add',
        '32',
        '--hnsw-expansion-search',
        '100',
        '--backend',
        'wasm',
        '--body-limit',
        '2048',
        '--log-level',
        'warn',
        '--journal',
        'state/items.journal',
        '--read-timeout',
        '5',
      ],
    });
    expect(parsed).toEqual({
      help: false,
      options: {
        artifactsDir: 'x',
        port: 0,
        host: '0.0.0.0',
        index: 'exact',
        hnsw: { connectivity: 8, expansionAdd: 32, expansionSearch: 100 },
        backend: 'wasm',
        bodyLimit: 2048,
        logLevel: 'warn',
        journal: 'state/items.journal',
        readTimeoutMs: 5000,
      },
    });
    expect(parseCliOptions({ argv: ['--help'] })).toEqual({ help: true });
    expect(parseCliOptions({ argv: ['-h'] })).toEqual({ help: true });
  });

  test.each([
    [[], /--artifacts DIR is required/],
    [['--artifacts', 'x', '--port', '70000'], /--port must be in 0..65535/],
    [['--artifacts', 'x', '--port', 'abc'], /--port must be an integer/],
    [['--artifacts', 'x', '--index', 'ivf'], /--index must be exact or hnsw/],
    [['--artifacts', 'x', '--backend', 'gpu'], /--backend must be/],
    [['--artifacts', 'x', '--hnsw-connectivity', '1'], /--hnsw-connectivity must be in 2..256/],
    [['--artifacts', 'x', '--log-level', 'loud'], /--log-level must be one of/],
    [['--artifacts', 'x', '--read-timeout', '0'], /--read-timeout must be in 1..86400/],
    [['--artifacts', 'x', '--journal='], /--journal must name a file/],
    [['--artifacts', 'x', '--verbose'], /Unknown option '--verbose'/],
    [['--artifacts', 'x', 'extra'], /Unexpected argument 'extra'/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCliOptions({ argv })).toThrow(CliUsageError);
    expect(() => parseCliOptions({ argv })).toThrow(message);
  });
});
