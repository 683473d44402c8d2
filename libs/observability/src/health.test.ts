import { Registry } from 'prom-client';
import { ProgressMonitor, Readiness } from './health';
import { startHealthServer } from './health-server';

describe('ProgressMonitor', () => {
  it('reports a loop that stopped beating as stalled', () => {
    let now = 1_000;
    const monitor = new ProgressMonitor(() => now);
    monitor.register('consumer', 5_000);
    now += 4_000;
    expect(monitor.stalled()).toEqual([]);
    monitor.beat('consumer');
    now += 5_001;
    expect(monitor.stalled()).toEqual(['consumer']);
  });

  it('refuses to beat an unknown loop', () => {
    expect(() => new ProgressMonitor().beat('nope')).toThrow(/unknown loop "nope"/);
  });
});

describe('Readiness', () => {
  it('names failing and throwing checks', async () => {
    const readiness = new Readiness();
    readiness.add('kafka', () => true);
    readiness.add('state', async () => Promise.resolve(false));
    readiness.add('db', () => {
      throw new Error('down');
    });
    expect(await readiness.failing()).toEqual(['state', 'db']);
  });
});

describe('startHealthServer', () => {
  it('serves /metrics, /live, /ready and extra routes', async () => {
    let now = 0;
    const registry = new Registry();
    const progress = new ProgressMonitor(() => now, registry);
    progress.register('main', 1_000);
    const readiness = new Readiness();
    let ready = false;
    readiness.add('state restored', () => ready);
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      progress,
      readiness,
      routes: { '/status': (_req, res) => void res.end('{"ok":true}') },
    });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      expect((await fetch(`${url}/live`)).status).toBe(200);
      const notReady = await fetch(`${url}/ready`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ ready: false, failing: ['state restored'] });
      ready = true;
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      now = 5_000;
      expect((await fetch(`${url}/live`)).status).toBe(503);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('app_main_loop_last_progress_seconds{loop="main"} 0');
      expect(await (await fetch(`${url}/status`)).text()).toBe('{"ok":true}');
      expect((await fetch(`${url}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
