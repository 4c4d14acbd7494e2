import { parseArgs } from 'node:util';
import { MmrecallError } from '@mmrecall/errors';
import { eventsCsvChunks, exportEventsCsv, readEventJournal } from '@mmrecall/recall-service';

/** Usage text of `mmrecall-events --help`. */
export const EVENTS_USAGE = `Usage: mmrecall-events export --journal FILE [-o OUT]

Writes the events of an event journal (mmrecall-serve --events-journal) as the CSV that
GET /v1/statistics/export streams: user_id,item_id,timestamp,click, one row per exposure. The trainer
reads it with data.events. The journal is only read (a running server may keep appending to it).

Options:
  --journal FILE   the event journal
  -o, --out FILE   output file, written atomically (default: standard output)
  -h, --help       this text
`;

/** Where {@link runEventsCommand} writes. */
export interface EventsCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs `mmrecall-events` with `argv` (arguments after the script); resolves to the exit code. */
export async function runEventsCommand(options: {
  argv: readonly string[];
  io: EventsCommandIo;
}): Promise<number> {
  const { io } = options;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof SPEC; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...options.argv], options: SPEC, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`mmrecall-events: ${(error as Error).message}\n\n${EVENTS_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(EVENTS_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'export') {
    io.stderr(`mmrecall-events: expected the command "export"\n\n${EVENTS_USAGE}`);
    return 2;
  }
  if (values.journal === undefined || values.journal === '') {
    io.stderr(`mmrecall-events: --journal FILE is required\n\n${EVENTS_USAGE}`);
    return 2;
  }
  try {
    const { events, truncatedBytes } = await readEventJournal({ file: values.journal });
    if (truncatedBytes > 0) {
      io.stderr(
        `mmrecall-events: ${values.journal}: an incomplete last line (${truncatedBytes} bytes, never acknowledged) is left out\n`,
      );
    }
    if (values.out === undefined) {
      for (const chunk of eventsCsvChunks({ events })) io.stdout(chunk);
    } else {
      await exportEventsCsv({ file: values.out, events });
      io.stderr(`mmrecall-events: ${events.length} events written to ${values.out}\n`);
    }
    return 0;
  } catch (error) {
    if (!MmrecallError.isInstance(error)) throw error;
    io.stderr(`mmrecall-events: ${error.message}\n`);
    return 1;
  }
}

const SPEC = {
  journal: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;
