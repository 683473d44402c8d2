// Command-line arguments of the syi tool. Pure: returns a command or a usage problem.

export const USAGE = `usage: syi replay --input FILE|- --interval SECONDS [--skip-invalid]

  replay   evaluate the SYI (methodology v1) over a JSON-lines event file and print
           one JSON record per grid point with an index value
  --input FILE      events, one {"topic": …, "value": {…}} per line ("-" reads standard input)
  --interval SECONDS  grid step in seconds (step = round(SECONDS × 1000) ms)
  --skip-invalid    skip invalid lines (their count goes to standard error) instead of failing`;

export interface ReplayCommand {
  readonly command: 'replay';
  readonly input: string;
  readonly intervalSeconds: number;
  readonly skipInvalid: boolean;
}

export type ParsedArgs = { readonly ok: true; readonly command: ReplayCommand } | { readonly ok: false; readonly problem: string };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined) return { ok: false, problem: 'missing command' };
  if (command !== 'replay') return { ok: false, problem: `unknown command ${JSON.stringify(command)}` };
  let input: string | undefined;
  let interval: string | undefined;
  let skipInvalid = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const takeValue = (): string | undefined => (inline !== undefined ? inline : rest[++i]);
    switch (name) {
      case '--input':
        input = takeValue();
        if (input === undefined || input === '') return { ok: false, problem: '--input needs a file name or -' };
        break;
      case '--interval':
        interval = takeValue();
        if (interval === undefined) return { ok: false, problem: '--interval needs a number of seconds' };
        break;
      case '--skip-invalid':
        if (inline !== undefined) return { ok: false, problem: '--skip-invalid takes no value' };
        skipInvalid = true;
        break;
      default:
        return { ok: false, problem: `unknown argument ${JSON.stringify(arg)}` };
    }
  }
  if (input === undefined) return { ok: false, problem: 'missing --input' };
  if (interval === undefined) return { ok: false, problem: 'missing --interval' };
  const seconds = Number(interval);
  if (interval.trim() === '' || !Number.isFinite(seconds) || Math.round(seconds * 1000) < 1) {
    return { ok: false, problem: `--interval must be a number of seconds ≥ 0.0005 (got ${JSON.stringify(interval)})` };
  }
  return { ok: true, command: { command: 'replay', input, intervalSeconds: seconds, skipInvalid } };
}
