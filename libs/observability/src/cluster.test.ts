import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { ClusterPrimary } from './cluster';

jest.setTimeout(60_000);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** One request on a connection of its own (so that the cluster may hand it to either worker). */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${ms} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ClusterPrimary', () => {
  let primary: ClusterPrimary | undefined;
  afterEach(async () => {
    await primary?.stop();
    primary = undefined;
  });

  const start = async (env: Record<string, string> = {}) => {
    const app = await freePort();
    primary = await ClusterPrimary.start({
      workers: 2,
      logger: pino({ level: 'silent' }),
      healthHost: '127.0.0.1',
      healthPort: 0,
      shutdownTimeoutMs: 5_000,
      exec: join(__dirname, 'fixtures/cluster-worker.ts'),
      execArgv: ['--import', 'tsx'],
      env: { ...env, FIXTURE_PORT: String(app) },
    });
    return { app, health: primary.healthPort };
  };

  it('shares one port between the workers, sums their metrics, and replaces a worker that dies', async () => {
    const { app, health } = await start();
    await until(
      () => get(health, '/ready'),
      (r) => r.status === 200,
    );
    const pids = new Set<string>();
    await until(
      async () => {
        pids.add((await get(app, '/')).body);
        return pids.size;
      },
      (n) => n === 2,
    );
    expect([...pids].sort()).toEqual([...primary!.pids.values()].map(String).sort());
    expect((await get(health, '/metrics')).body).toMatch(/^fixture_work_total 3$/m);
    expect((await get(health, '/live')).status).toBe(200);

    const victim = primary!.pids.get(0)!;
    process.kill(victim, 'SIGKILL');
    const replaced = await until(
      () => Promise.resolve(primary!.pids.get(0)),
      (pid) => pid !== undefined && pid !== victim,
    );
    expect(replaced).not.toBe(victim);
    await until(
      () => get(health, '/ready'),
      (r) => r.status === 200,
    );
    expect((await get(health, '/metrics')).body).toMatch(/^fixture_work_total 3$/m);
  });

  it('is not ready while one worker is not, and names it', async () => {
    const { health } = await start({ WORKER_NOT_READY: '1' });
    // Worker 0 starts in its own time (tsx; slow on a loaded machine): until it answers, it is
    // "worker 0: no answer". Wait for the state where only worker 1 fails.
    const onlyWorker1 = (body: string) => JSON.stringify(JSON.parse(body).failing) === '["worker 1: fixture"]';
    const ready = await until(
      () => get(health, '/ready'),
      (r) => onlyWorker1(r.body),
    );
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).failing).toEqual(['worker 1: fixture']);
  });
});
