// The app's Prometheus metrics (bounded labels: source is one of six, status a small set of codes).
import { Counter, createMetricsRegistry, Gauge, type Registry } from '@stableyield/observability';

export interface SimMetrics {
  registry: Registry;
  requests: Counter<'source' | 'status'>;
  sseClients: Gauge;
  hermesEvents: Counter;
  slots: Counter;
}

export function createMetrics(): SimMetrics {
  const registry = createMetricsRegistry('market-sim');
  return {
    registry,
    requests: new Counter({
      name: 'market_sim_requests_total',
      help: 'HTTP requests answered, by upstream and status',
      labelNames: ['source', 'status'],
      registers: [registry],
    }),
    sseClients: new Gauge({ name: 'market_sim_sse_clients', help: 'Open Hermes SSE streams', registers: [registry] }),
    hermesEvents: new Counter({
      name: 'market_sim_hermes_events_total',
      help: 'Hermes SSE data events written',
      registers: [registry],
    }),
    slots: new Counter({
      name: 'market_sim_slots_total',
      help: 'Hermes slots produced by the ticker',
      registers: [registry],
    }),
  };
}
