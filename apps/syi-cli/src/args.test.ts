import { parseArgs } from './args';

describe('parseArgs', () => {
  it('reads the replay command', () => {
    expect(parseArgs(['replay', '--input', 'f.jsonl', '--interval', '60'])).toEqual({
      ok: true,
      command: { command: 'replay', input: 'f.jsonl', intervalSeconds: 60, skipInvalid: false },
    });
    expect(parseArgs(['replay', '--interval=0.5', '--skip-invalid', '--input=-'])).toEqual({
      ok: true,
      command: { command: 'replay', input: '-', intervalSeconds: 0.5, skipInvalid: true },
    });
  });
  it.each([
    [[], 'missing command'],
    [['run'], 'unknown command "run"'],
    [['replay', '--interval', '60'], 'missing --input'],
    [['replay', '--input', 'f'], 'missing --interval'],
    [['replay', '--input'], '--input needs a file name or -'],
    [['replay', '--input', 'f', '--interval', 'abc'], '--interval must be a number of seconds ≥ 0.0005 (got "abc")'],
    [['replay', '--input', 'f', '--interval', '0'], '--interval must be a number of seconds ≥ 0.0005 (got "0")'],
    [['replay', '--input', 'f', '--interval', ''], '--interval must be a number of seconds ≥ 0.0005 (got "")'],
    [['replay', '--input', 'f', '--interval', '1', '--verbose'], 'unknown argument "--verbose"'],
  ])('rejects %j', (argv, problem) => {
    expect(parseArgs(argv)).toEqual({ ok: false, problem });
  });
});
