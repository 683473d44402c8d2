export {
  createLogger,
  redactUrlSecrets,
  REDACTED_PATHS,
  SECRET_FIELDS,
  type Logger,
  type LoggerSettings,
} from './logger';
export {
  createMetricsRegistry,
  LATENCY_BUCKETS_SECONDS,
  metricsOf,
  type Collect,
  type MetricsFactory,
} from './metrics';
// The metric kinds apps and libraries register: prom-client itself is imported here only.
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
export { ProgressMonitor, Readiness, type ReadinessCheck } from './health';
export { startHealthServer, type HealthServer, type HealthServerOptions, type ExtraRoute } from './health-server';
export { Shutdown, exitOnSignals, type ShutdownStep } from './shutdown';
export { ClusterPrimary, serveHealthToPrimary, type ClusterPrimaryOptions } from './cluster';
export { errorSummary, maskUrls } from './error-summary';
export { startService, type Service, type ServiceConfig, type StartServiceOptions } from './service';
