import { Counter, Gauge, Histogram, type Registry } from '@stableyield/observability';

export type DropReason = 'slow_consumer' | 'heartbeat_timeout' | 'shutdown' | 'error';

/** The ws-gateway metrics of docs/metrics.md. */
export class StreamMetrics {
  readonly active: Gauge;
  readonly subscribers: Gauge<'channel'>;
  readonly sent: Counter;
  readonly dropped: Counter<'reason'>;
  readonly fanoutLatency: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.active = new Gauge({ name: 'websocket_active_connections', help: 'Open client connections', registers });
    this.subscribers = new Gauge({
      name: 'websocket_subscribers',
      help: 'Clients subscribed to each stream channel (live, constituents)',
      labelNames: ['channel'],
      registers,
    });
    this.sent = new Counter({ name: 'websocket_messages_sent_total', help: 'Messages sent to clients', registers });
    this.dropped = new Counter({
      name: 'websocket_clients_dropped_total',
      help: 'Clients closed by the server, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.fanoutLatency = new Histogram({
      name: 'websocket_fanout_latency_seconds',
      help: 'Record consumed to sent to the last client',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    for (const reason of ['slow_consumer', 'heartbeat_timeout', 'shutdown', 'error'] satisfies DropReason[])
      this.dropped.inc({ reason }, 0);
    // The channels of STREAM_CHANNELS (stream-server.ts), at 0 until a client subscribes.
    for (const channel of ['live', 'constituents']) this.subscribers.set({ channel }, 0);
  }
}
