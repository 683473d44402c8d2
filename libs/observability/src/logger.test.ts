import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts secrets wherever our code puts them', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ app: 'keeper', level: 'info', destination });
    const key = `0x${'12'.repeat(32)}`;
    logger.child({ module: 'Wallet' }).info(
      { config: { PRIVATE_KEY: key, RPC_URL: 'http://127.0.0.1:8545' }, privateKey: key, headers: { authorization: 'Bearer abc' } },
      'wallet_ready',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain(key);
    expect(text).not.toContain('Bearer abc');
    expect(lines[0]).toMatchObject({ app: 'keeper', module: 'Wallet', level: 'info', msg: 'wallet_ready' });
    expect((lines[0]!.config as Record<string, unknown>).RPC_URL).toBe('http://127.0.0.1:8545');
  });

  it('serialises errors under err with their stack', () => {
    const { lines, destination } = capture();
    createLogger({ app: 'x', level: 'info', destination }).error({ err: new Error('boom') }, 'failed');
    expect(lines[0]!.err).toMatchObject({ type: 'Error', message: 'boom' });
  });
});
