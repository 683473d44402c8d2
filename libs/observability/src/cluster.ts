// Several worker processes behind one port (node:cluster), for a server whose work per client
// is mostly the kernel's (the WebSocket gateway writes every update to every socket): one
// process uses one core. The primary accepts no traffic itself; it keeps the workers running
// and answers the health port for all of them — metrics summed over the workers (prom-client's
// AggregatorRegistry), live and ready only when every worker is.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { ProgressMonitor, Readiness } from './health';
import { startHealthServer, type HealthServer } from './health-server';

const HEALTH_REQUEST = 'stableyield:health?';
const HEALTH_REPLY = 'stableyield:health';

interface HealthReply {
  type: typeof HEALTH_REPLY;
  id: number;
  stalled: string[];
  failing: string[];
}

/**
 * In a worker: answers the primary's health questions with this process's own checks, and
 * lets the primary collect this registry's metrics. No-op outside a cluster worker.
 */
export function serveHealthToPrimary(registry: Registry, progress: ProgressMonitor, readiness: Readiness): void {
  if (!cluster.isWorker) return;
  AggregatorRegistry.setRegistries([registry]);
  // prom-client answers the primary's metric requests once an AggregatorRegistry exists here
  new AggregatorRegistry();
  process.on('message', (m: { type?: string; id?: number }) => {
    if (m?.type !== HEALTH_REQUEST) return;
    void readiness.failing().then((failing) => {
      const reply: HealthReply = { type: HEALTH_REPLY, id: m.id ?? 0, stalled: progress.stalled(), failing };
      process.send?.(reply);
    });
  });
}

export interface ClusterPrimaryOptions {
  workers: number;
  logger: Logger;
  healthHost: string;
  healthPort: number;
  /** how long stopping waits for the workers' own graceful shutdown before killing them */
  shutdownTimeoutMs: number;
  /** how long a worker has to answer a health question */
  healthTimeoutMs?: number;
  /** the workers' script and Node options (default: this process's) */
  exec?: string;
  execArgv?: string[];
  /** variables added to the workers' environment */
  env?: Record<string, string>;
  /** messages from workers other than health replies */
  onMessage?: (worker: number, message: unknown) => void;
}

/** The primary of a worker cluster: forks the workers, replaces one that dies, serves health. */
export class ClusterPrimary {
  private readonly workers = new Map<number, Worker>();
  private readonly waiting = new Map<number, (reply: HealthReply) => void>();
  private health: HealthServer | undefined;
  private nextRequest = 1;
  private stopping = false;

  private constructor(private readonly options: ClusterPrimaryOptions) {}

  static async start(options: ClusterPrimaryOptions): Promise<ClusterPrimary> {
    const primary = new ClusterPrimary(options);
    if (options.exec !== undefined || options.execArgv !== undefined) {
      cluster.setupPrimary({
        ...(options.exec ? { exec: options.exec } : {}),
        ...(options.execArgv ? { execArgv: options.execArgv } : {}),
      });
    }
    for (let i = 0; i < options.workers; i++) primary.fork(i);
    const aggregator = new AggregatorRegistry();
    primary.health = await startHealthServer({
      host: options.healthHost,
      port: options.healthPort,
      registry: { metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType },
      progress: { stalled: () => primary.ask().then((replies) => replies.flatMap((r) => r.stalled)) },
      readiness: { failing: () => primary.ask().then((replies) => replies.flatMap((r) => r.failing)) },
    });
    return primary;
  }

  get healthPort(): number {
    return this.health?.port ?? 0;
  }

  /** The pids of the running workers, by worker index. */
  get pids(): Map<number, number> {
    return new Map([...this.workers].map(([i, w]) => [i, w.process.pid ?? 0]));
  }

  /** Sends a message to every worker. */
  broadcast(message: unknown): void {
    for (const w of this.workers.values()) w.send(message as object);
  }

  /** Stops every worker (SIGTERM: their graceful shutdown; SIGKILL after the timeout), then the health port. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.workers.values()].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          const kill = setTimeout(() => w.process.kill('SIGKILL'), this.options.shutdownTimeoutMs);
          w.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    await this.health?.close();
  }

  private fork(index: number): void {
    const { logger } = this.options;
    const worker = cluster.fork({ ...this.options.env, CLUSTER_WORKER_INDEX: String(index) });
    this.workers.set(index, worker);
    worker.on('message', (m: { type?: string; id?: number }) => {
      if (m?.type === HEALTH_REPLY) this.waiting.get(m.id ?? 0)?.(m as HealthReply);
      else this.options.onMessage?.(index, m);
    });
    worker.once('exit', (code, signal) => {
      if (this.workers.get(index) === worker) this.workers.delete(index);
      if (this.stopping) return;
      // A worker's clients reconnect to the others (or to its replacement) on their own.
      logger.error({ worker: index, pid: worker.process.pid, code, signal }, 'cluster_worker_died_restarting');
      this.fork(index);
    });
    logger.info({ worker: index, pid: worker.process.pid }, 'cluster_worker_started');
  }

  /** Every worker's health; a worker missing or silent counts as stalled and not ready. */
  private async ask(): Promise<HealthReply[]> {
    const timeoutMs = this.options.healthTimeoutMs ?? 2_000;
    const replies: Promise<HealthReply>[] = [];
    for (let index = 0; index < this.options.workers; index++) {
      const worker = this.workers.get(index);
      const missing = (why: string): HealthReply => ({
        type: HEALTH_REPLY,
        id: 0,
        stalled: [`worker ${index}: ${why}`],
        failing: [`worker ${index}: ${why}`],
      });
      if (worker === undefined || !worker.isConnected()) {
        replies.push(Promise.resolve(missing('not running')));
        continue;
      }
      const id = this.nextRequest++;
      replies.push(
        new Promise<HealthReply>((resolve) => {
          const timer = setTimeout(() => {
            this.waiting.delete(id);
            resolve(missing('no answer'));
          }, timeoutMs);
          this.waiting.set(id, (reply) => {
            clearTimeout(timer);
            this.waiting.delete(id);
            // a worker's own failing checks are named after it
            resolve({
              ...reply,
              stalled: reply.stalled.map((s) => `worker ${index}: ${s}`),
              failing: reply.failing.map((f) => `worker ${index}: ${f}`),
            });
          });
          worker.send({ type: HEALTH_REQUEST, id });
        }),
      );
    }
    return Promise.all(replies);
  }
}
