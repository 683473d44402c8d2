import { metricsOf, type Counter, type Histogram, type Registry } from '@stableyield/observability';

/** `http_request_duration_seconds` and `api_requests_total` of docs/metrics.md. */
export class HttpMetrics {
  readonly duration: Histogram<'route' | 'method' | 'status'>;
  readonly requests: Counter<'route' | 'status'>;

  constructor(registry: Registry) {
    const { counter, histogram } = metricsOf(registry);
    this.duration = histogram(
      'http_request_duration_seconds',
      'Request duration, by route pattern, method and status',
      ['route', 'method', 'status'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    this.requests = counter('api_requests_total', 'Requests served, by route pattern and status', ['route', 'status']);
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    const code = String(status);
    this.duration.observe({ route, method, status: code }, seconds);
    this.requests.inc({ route, status: code });
  }
}
