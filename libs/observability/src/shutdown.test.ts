import pino from 'pino';
import { Shutdown } from './shutdown';

const silent = pino({ level: 'silent' });

describe('Shutdown', () => {
  it('runs steps once, in order, past a failing step', async () => {
    const order: string[] = [];
    const shutdown = new Shutdown(silent, 1_000);
    shutdown.add('http', () => void order.push('http'));
    shutdown.add('consumer', () => {
      order.push('consumer');
      throw new Error('commit failed');
    });
    shutdown.add('producer', async () => {
      await Promise.resolve();
      order.push('producer');
    });
    const [a, b] = await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);
    expect(order).toEqual(['http', 'consumer', 'producer']);
    expect(a).toBe(0);
    expect(b).toBe(0);
  });

  it('gives up after the drain timeout with exit code 1', async () => {
    const shutdown = new Shutdown(silent, 20);
    shutdown.add('stuck', () => new Promise(() => undefined));
    expect(await shutdown.run('SIGTERM')).toBe(1);
  });

  it('exits 1 when started by a fatal error', async () => {
    expect(await new Shutdown(silent, 100).run('uncaughtException', new Error('x'))).toBe(1);
  });
});
