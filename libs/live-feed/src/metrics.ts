import { metricsOf, type Counter, type Gauge, type Histogram, type Registry } from '@stableyield/observability';

export type DropReason = 'slow_consumer' | 'heartbeat_timeout' | 'shutdown' | 'error';

/** The ws-gateway metrics of docs/metrics.md. */
export class StreamMetrics {
  readonly active: Gauge;
  readonly subscribers: Gauge<'channel'>;
  readonly sent: Counter;
  readonly dropped: Counter<'reason'>;
  readonly fanoutLatency: Histogram;

  constructor(registry: Registry) {
    const { counter, gauge, histogram } = metricsOf(registry);
    this.active = gauge('websocket_active_connections', 'Open client connections');
    this.subscribers = gauge(
      'websocket_subscribers',
      'Clients subscribed to each stream channel (live, constituents)',
      ['channel'],
    );
    this.sent = counter('websocket_messages_sent_total', 'Messages sent to clients');
    this.dropped = counter('websocket_clients_dropped_total', 'Clients closed by the server, by reason', ['reason']);
    this.fanoutLatency = histogram(
      'websocket_fanout_latency_seconds',
      'Record consumed to sent to the last client',
      [],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    );
    for (const reason of ['slow_consumer', 'heartbeat_timeout', 'shutdown', 'error'] satisfies DropReason[])
      this.dropped.inc({ reason }, 0);
    // The channels of STREAM_CHANNELS (stream-server.ts), at 0 until a client subscribes.
    for (const channel of ['live', 'constituents']) this.subscribers.set({ channel }, 0);
  }
}
