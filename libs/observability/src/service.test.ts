import { EventEmitter } from 'node:events';
import { startService } from './service';

const config = { LOG_LEVEL: 'silent', HEALTH_HOST: '127.0.0.1', HEALTH_PORT: 0, SHUTDOWN_TIMEOUT_MS: 1_000 };
const get = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
};

describe('startService', () => {
  it("serves health on port 0 and the shutdown closes it after the app's steps", async () => {
    const service = await startService('demo', config, { signals: false });
    const port = service.health?.port ?? 0;
    expect(port).toBeGreaterThan(0);
    expect((await get(port, '/ready')).status).toBe(200);
    expect((await get(port, '/metrics')).body).toMatch(/app="demo"/);
    service.readiness.add('consumer', () => false);
    expect(JSON.parse((await get(port, '/ready')).body)).toEqual({ ready: false, failing: ['consumer'] });

    // Registered after the health server, yet it runs first: /live answers until the end.
    let healthUpDuringStep = false;
    service.shutdown.add('consumer', async () => {
      healthUpDuringStep = (await get(port, '/live')).status === 200;
    });
    expect(await service.shutdown.run('test')).toBe(0);
    expect(healthUpDuringStep).toBe(true);
    await expect(get(port, '/live')).rejects.toThrow();
  });

  it('fails the startup check until started(), and serves routes given later', async () => {
    const service = await startService('demo', config, { signals: false, health: false, startupCheck: true });
    expect(service.health).toBeUndefined();
    const health = await service.serveHealth({ '/status': (_req, res) => void res.end('ok') });
    expect(await service.serveHealth()).toBe(health);
    expect(JSON.parse((await get(health.port, '/ready')).body)).toEqual({ ready: false, failing: ['startup'] });
    service.started();
    expect((await get(health.port, '/ready')).status).toBe(200);
    expect((await get(health.port, '/status')).body).toBe('ok');
    await service.shutdown.run('test');
  });

  it('runs the shutdown on SIGTERM and exits with its code', async () => {
    const proc = Object.assign(new EventEmitter(), { exit: jest.fn() });
    const service = await startService('demo', config, { signals: proc as unknown as NodeJS.Process });
    proc.emit('SIGTERM');
    await service.shutdown.run('again');
    await new Promise((resolve) => setImmediate(resolve));
    expect(proc.exit).toHaveBeenCalledWith(0);
  });
});
