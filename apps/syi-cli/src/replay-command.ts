// Runs `syi replay` against real streams; returns the exit status (main.ts only wires process).

import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { InvalidInputError, runReplayChunks } from '@stableyield/index-engine';
import { parseArgs, USAGE } from './args';

export interface CommandIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

export async function runCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.stderr.write(`syi: ${parsed.problem}\n${USAGE}\n`);
    return EXIT_INVALID;
  }
  if (parsed.command.command === 'verify') {
    // loaded on demand: replay needs no Kafka client
    const { runVerify } = await import('./verify-command');
    return (await runVerify(parsed.command, io.stdout)) ? EXIT_OK : EXIT_FAILURE;
  }
  const { input, intervalSeconds, skipInvalid } = parsed.command;
  // Large reads: fewer chunks to split, and the file is read in about 200 reads per 200 MB.
  const source = input === '-' ? io.stdin : createReadStream(input, { highWaterMark: 1 << 20 });
  const write = async (text: string): Promise<void> => {
    if (!io.stdout.write(text)) await once(io.stdout, 'drain');
  };
  try {
    const summary = await runReplayChunks(source as AsyncIterable<Uint8Array | string>, {
      intervalSeconds,
      skipInvalid,
      write,
    });
    if (skipInvalid) io.stderr.write(`syi: skipped ${summary.invalidLines} invalid line(s)\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof InvalidInputError) {
      io.stderr.write(`syi: ${err.message}\n`);
      return EXIT_INVALID;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      io.stderr.write(`syi: cannot read ${input}: ${(err as Error).message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  } finally {
    if (source !== io.stdin) source.destroy();
  }
}
