import { InvalidArgumentError, MmrecallError } from '@mmrecall/errors';
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
        eventsJournal: undefined,
        eventsMaxKept: 1_000_000,
        readTimeoutMs: 120_000,
        callBudgetMs: 30_000,
        callKillAfterMs: 30_000,
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
        '--events-journal',
        'state/events.jsonl',
        '--events-max-kept',
        '5000',
        '--call-budget',
        '2',
        '--call-kill-after',
        '7',
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
        eventsJournal: 'state/events.jsonl',
        eventsMaxKept: 5000,
        readTimeoutMs: 5000,
        callBudgetMs: 2000,
        callKillAfterMs: 7000,
      },
    });
    expect(parseCliOptions({ argv: ['--help'] })).toEqual({ help: true });
    expect(parseCliOptions({ argv: ['-h'] })).toEqual({ help: true });
  });

  test('pgvector: defaults, every flag, and the URL from MMRECALL_PG_URL', () => {
    const url = 'postgres://recall:secret@db:5432/catalog';
    expect(
      parseCliOptions({ argv: ['--artifacts', 'a', '--index', 'pgvector'], env: { MMRECALL_PG_URL: url } }),
    ).toMatchObject({
      options: {
        index: 'pgvector',
        pgvector: { url, poolSize: 4, table: 'mmrecall_items', m: 16, efConstruction: 64, efSearch: 64 },
      },
    });
    const argv = [
      '--artifacts',
      'a',
      '--index',
      'pgvector',
      '--pg-url',
      'postgres://x/y',
      '--pg-pool-size',
      '12',
    ];
    argv.push('--pg-table', 'shop_items', '--pgvector-m', '24', '--pgvector-ef-construction', '128');
    argv.push('--pgvector-ef-search', '200');
    // The flag wins over the environment.
    expect(parseCliOptions({ argv, env: { MMRECALL_PG_URL: url } })).toMatchObject({
      options: {
        pgvector: {
          url: 'postgres://x/y',
          poolSize: 12,
          table: 'shop_items',
          m: 24,
          efConstruction: 128,
          efSearch: 200,
        },
      },
    });
  });

  test.each([
    [[], /--artifacts DIR is required/],
    [['--artifacts', 'x', '--port', '70000'], /--port must be in 0..65535/],
    [['--artifacts', 'x', '--port', 'abc'], /--port must be an integer/],
    [['--artifacts', 'x', '--index', 'ivf'], /--index must be exact, hnsw or pgvector/],
    [['--artifacts', 'x', '--index', 'pgvector'], /--index pgvector needs --pg-url URL/],
    [['--artifacts', 'x', '--pg-url', 'postgres://h/db'], /--pg-url applies to --index pgvector only/],
    [
      ['--artifacts', 'x', '--index', 'pgvector', '--pg-url', 'u', '--pg-table', 'Items'],
      /--pg-table must be/,
    ],
    [
      ['--artifacts', 'x', '--index', 'pgvector', '--pg-url', 'u', '--pg-pool-size', '0'],
      /--pg-pool-size must be in 1..1000/,
    ],
    [
      [
        '--artifacts',
        'x',
        '--index',
        'pgvector',
        '--pg-url',
        'u',
        '--pgvector-m',
        '32',
        '--pgvector-ef-construction',
        '40',
      ],
      /--pgvector-ef-construction must be in 64..1000/,
    ],
    [['--artifacts', 'x', '--backend', 'gpu'], /--backend must be/],
    [['--artifacts', 'x', '--hnsw-connectivity', '1'], /--hnsw-connectivity must be in 2..256/],
    [['--artifacts', 'x', '--log-level', 'loud'], /--log-level must be one of/],
    [['--artifacts', 'x', '--read-timeout', '0'], /--read-timeout must be in 1..86400/],
    [['--artifacts', 'x', '--journal='], /--journal must name a file/],
    [['--artifacts', 'x', '--call-budget', '0'], /--call-budget must be in 1..86400/],
    [['--artifacts', 'x', '--call-kill-after', '1.5'], /--call-kill-after must be an integer/],
    [['--artifacts', 'x', '--verbose'], /Unknown option '--verbose'/],
    [['--artifacts', 'x', 'extra'], /Unexpected argument 'extra'/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCliOptions({ argv })).toThrow(CliUsageError);
    expect(() => parseCliOptions({ argv })).toThrow(message);
  });
});

describe('CliUsageError', () => {
  test('is an MmrecallError with code CLI_USAGE, the message for the user and the parser error as cause', () => {
    let caught: unknown;
    try {
      parseCliOptions({ argv: ['--artifacts', 'x', '--verbose'] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliUsageError);
    expect(MmrecallError.isInstance(caught)).toBe(true);
    expect(CliUsageError.isInstance(caught)).toBe(true);
    const usage = caught as CliUsageError;
    expect(usage.code).toBe('CLI_USAGE');
    expect(usage.name).toBe('CliUsageError');
    expect(usage.message).toMatch(/^Unknown option '--verbose'/);
    expect(usage.cause).toBeInstanceOf(TypeError);
  });

  test('is told apart from other mmrecall errors', () => {
    expect(CliUsageError.isInstance(new InvalidArgumentError({ argument: 'k', message: 'bad' }))).toBe(false);
    expect(CliUsageError.isInstance(new Error('--artifacts DIR is required'))).toBe(false);
  });
});
