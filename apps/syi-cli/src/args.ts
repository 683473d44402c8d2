// Command-line arguments of the syi tool. Pure: returns a command or a usage problem.

export const USAGE = `usage: syi replay --input FILE|- --interval SECONDS [--skip-invalid]
       syi verify --from TIME --to TIME [--recompute N]

  replay   evaluate the SYI (methodology v1) over a JSON-lines event file and print
           one JSON record per grid point with an index value
  --input FILE      events, one {"topic": …, "value": {…}} per line ("-" reads standard input)
  --interval SECONDS  grid step in seconds (step = round(SECONDS × 1000) ms)
  --skip-invalid    skip invalid lines (their count goes to standard error) instead of failing

  verify   check the published syi.calculated records with ts in [--from, --to] (ISO time
           or epoch ms): every digest recomputes, every prevDigest links to the record before;
           --recompute N recomputes N of them (spread over the range) from the input topics.
           Reads KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX. Exit 0: all good, 1: not.`;

export interface ReplayCommand {
  readonly command: 'replay';
  readonly input: string;
  readonly intervalSeconds: number;
  readonly skipInvalid: boolean;
}

export interface VerifyCommand {
  readonly command: 'verify';
  readonly from: number;
  readonly to: number;
  readonly recompute: number;
}

export type ParsedArgs =
  | { readonly ok: true; readonly command: ReplayCommand | VerifyCommand }
  | { readonly ok: false; readonly problem: string };

/** ISO 8601 time or epoch milliseconds. */
function parseTime(text: string): number | undefined {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

interface Option {
  readonly arg: string;
  readonly name: string;
  /** The value of `--name=value`. */
  readonly inline: string | undefined;
  /** The inline value, else the next argument (consumed). */
  readonly takeValue: () => string | undefined;
}

/** Each argument of `rest` as an option: `--name value`, `--name=value` or a flag. */
function* options(rest: readonly string[]): Generator<Option> {
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [name, inline] = eq >= 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    yield { arg, name, inline, takeValue: () => inline ?? rest[++i] };
  }
}

function parseVerify(rest: readonly string[]): ParsedArgs {
  let from: number | undefined;
  let to: number | undefined;
  let recompute = 0;
  for (const { arg, name, takeValue } of options(rest)) {
    const value = takeValue();
    switch (name) {
      case '--from':
      case '--to': {
        const t = value === undefined ? undefined : parseTime(value);
        if (t === undefined) return { ok: false, problem: `${name} needs an ISO time or epoch milliseconds` };
        if (name === '--from') from = t;
        else to = t;
        break;
      }
      case '--recompute': {
        const n = Number(value);
        if (value === undefined || !Number.isInteger(n) || n < 0)
          return { ok: false, problem: '--recompute needs a whole number ≥ 0' };
        recompute = n;
        break;
      }
      default:
        return { ok: false, problem: `unknown argument ${JSON.stringify(arg)}` };
    }
  }
  if (from === undefined) return { ok: false, problem: 'missing --from' };
  if (to === undefined) return { ok: false, problem: 'missing --to' };
  if (to < from) return { ok: false, problem: '--to is before --from' };
  return { ok: true, command: { command: 'verify', from, to, recompute } };
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined) return { ok: false, problem: 'missing command' };
  if (command === 'verify') return parseVerify(rest);
  if (command !== 'replay') return { ok: false, problem: `unknown command ${JSON.stringify(command)}` };
  let input: string | undefined;
  let interval: string | undefined;
  let skipInvalid = false;
  for (const { arg, name, inline, takeValue } of options(rest)) {
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
    const problem = `--interval must be a number of seconds ≥ 0.0005 (got ${JSON.stringify(interval)})`;
    return { ok: false, problem };
  }
  return { ok: true, command: { command: 'replay', input, intervalSeconds: seconds, skipInvalid } };
}
