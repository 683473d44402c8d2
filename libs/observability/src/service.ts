// The start-up every app shares: logger, metrics registry, progress, readiness, one ordered
// shutdown wired to the signals, and the health server (closed last). The app's main.ts adds its own pieces.
import type { Registry } from 'prom-client';
import { ProgressMonitor, Readiness } from './health';
import { startHealthServer, type ExtraRoute, type HealthServer } from './health-server';
import { createLogger, type Logger } from './logger';
import { createMetricsRegistry } from './metrics';
import { exitOnSignals, Shutdown } from './shutdown';

/** The variables of `commonSchema` and the app's HEALTH_PORT. */
export interface ServiceConfig {
  readonly LOG_LEVEL: string;
  readonly HEALTH_HOST: string;
  readonly HEALTH_PORT: number;
  readonly SHUTDOWN_TIMEOUT_MS: number;
}

export interface StartServiceOptions {
  /**
   * false: no health server yet; `serveHealth()` starts it once its routes exist (keeper, auditor),
   * or never (a cluster worker answers through its primary).
   */
  health?: boolean;
  /** A 'startup' readiness check failing until `started()`: the health port answers before the app is wired. */
  startupCheck?: boolean;
  /** Made before the service (a sink migrates, and logs it, before it serves anything). */
  logger?: Logger;
  registry?: Registry;
  /** Whose SIGTERM/SIGINT and fatal errors run the shutdown, then exit; false: none (tests). */
  signals?: NodeJS.Process | false;
}

export interface Service {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly progress: ProgressMonitor;
  readonly readiness: Readiness;
  readonly shutdown: Shutdown;
  /** The health server once it serves. */
  readonly health: HealthServer | undefined;
  /** Starts the health server on HEALTH_PORT (once); the shutdown closes it after every other step. */
  serveHealth(routes?: Record<string, ExtraRoute>): Promise<HealthServer>;
  /** Passes the 'startup' readiness check. */
  started(): void;
}

export async function startService(
  app: string,
  config: ServiceConfig,
  options: StartServiceOptions = {},
): Promise<Service> {
  const logger = options.logger ?? createLogger({ app, level: config.LOG_LEVEL });
  const registry = options.registry ?? createMetricsRegistry(app);
  const progress = new ProgressMonitor(Date.now, registry);
  const readiness = new Readiness();
  let isStarted = false;
  if (options.startupCheck) readiness.add('startup', () => isStarted);
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  if (options.signals !== false) exitOnSignals(shutdown, options.signals ?? process);

  let health: Promise<HealthServer> | undefined;
  let serving: HealthServer | undefined;
  const service: Service = {
    logger,
    registry,
    progress,
    readiness,
    shutdown,
    get health() {
      return serving;
    },
    serveHealth(routes) {
      health ??= (async () => {
        const server = await startHealthServer({
          host: config.HEALTH_HOST,
          port: config.HEALTH_PORT,
          registry,
          progress,
          readiness,
          ...(routes && { routes }),
        });
        serving = server;
        shutdown.add('health', () => server.close(), { last: true });
        return server;
      })();
      return health;
    },
    started() {
      isStarted = true;
    },
  };
  if (options.health !== false) await service.serveHealth();
  return service;
}
