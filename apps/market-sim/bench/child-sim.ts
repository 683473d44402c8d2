// The simulator as a child process on free ports, for the benchmarks that load it: its own core, so the
// process measuring it does not share its thread.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ChildSim {
  /** The simulator's API (Hermes, the venues, /_control). */
  url: string;
  /** Its health server (/ready, /metrics). */
  healthUrl: string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error('no port')) : resolve(port)));
    });
  });
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`simulator not ready at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts market-sim's main.ts at `tickRate` and resolves once it is ready (30 s at most; stopped if not). */
export async function startChildSim(tickRate: number): Promise<ChildSim> {
  const [port, healthPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../src/main.ts')], {
    env: {
      PATH: process.env['PATH'],
      MARKET_SIM_PORT: String(port),
      MARKET_SIM_HEALTH_PORT: String(healthPort),
      MARKET_SIM_TICK_RATE: String(tickRate),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sim: ChildSim = {
    url: `http://127.0.0.1:${port}`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    stop: () => child.kill('SIGTERM'),
  };
  try {
    await waitReady(`${sim.healthUrl}/ready`, 30_000);
  } catch (err) {
    sim.stop();
    throw err;
  }
  return sim;
}
