// Hermes SSE: a ticker produces one snapshot per slot and every open stream writes one event per slot
// with its requested feeds, as Hermes does per aggregation. Scenario modes (silent, close, error frames,
// malformed events, outages) are applied per slot and per stream.
import { type ServerResponse } from 'node:http';
import {
  malformedText,
  priceUpdateBody,
  slotSnapshot,
  type HermesEncoding,
  type HermesFeedSnapshot,
} from '@stableyield/market-model';
import { type Logger } from 'pino';
import { type SimMetrics } from './metrics';
import { type SimState } from './state';

/** Hermes disconnects a client that lags; we do when this much output is still buffered at a tick. */
const SLOW_CONSUMER_BYTES = 8 * 1024 * 1024;
/** After a stall of our own (GC, start-up), catch up at most this much of the missed slots. */
const MAX_CATCH_UP_SECONDS = 0.25;

export interface StreamRequest {
  ids: string[];
  encoding: HermesEncoding;
  parsed: boolean;
}

interface Stream {
  res: ServerResponse;
  request: StreamRequest;
}

export class HermesStreams {
  private readonly streams = new Set<Stream>();
  private timer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private lastSlot = -1;

  constructor(
    private readonly state: SimState,
    private readonly metrics: SimMetrics,
    private readonly log: Logger,
    private readonly keepAliveMs: number,
    /** Called on every ticker run (liveness). */
    private readonly onTick: () => void = () => undefined,
  ) {}

  start(): void {
    this.lastSlot = this.state.clock.slotAt(this.state.now()) - 1;
    const periodMs = Math.max(5, Math.min(100, 1000 / this.state.clock.tickRate / 2));
    this.timer = setInterval(() => this.tick(), periodMs);
    this.keepAlive = setInterval(() => this.writeKeepAlive(), this.keepAliveMs);
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.keepAlive);
    for (const s of [...this.streams]) this.end(s, 'end');
    this.metrics.sseClients.set(0);
  }

  /** Restarts the ticker after the tick rate changed. */
  restart(): void {
    clearInterval(this.timer);
    clearInterval(this.keepAlive);
    this.start();
  }

  count(): number {
    return this.streams.size;
  }

  /** Takes over a response whose 200 headers the caller has not sent yet. */
  open(res: ServerResponse, request: StreamRequest): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    this.metrics.requests.inc({ source: 'hermes', status: '200' });
    const mode = this.state.effects().hermesMode();
    if (mode?.mode === 'close') {
      res.end();
      return;
    }
    if (mode?.mode === 'error-frame') {
      res.end(`event:error\ndata:${mode.message}\n\n`);
      return;
    }
    const stream: Stream = { res, request };
    this.streams.add(stream);
    this.metrics.sseClients.set(this.streams.size);
    res.on('close', () => this.forget(stream));
    // A client that vanished mid-write must not take the process down.
    res.on('error', (err) => {
      this.log.debug({ err }, 'SSE write failed');
      this.forget(stream);
    });
  }

  private forget(stream: Stream): void {
    this.streams.delete(stream);
    this.metrics.sseClients.set(this.streams.size);
  }

  /** Ends a stream (optionally with a last frame) and stops writing to it at once. */
  private end(stream: Stream, how: 'end' | 'destroy', lastFrame?: string): void {
    this.forget(stream);
    if (how === 'destroy') stream.res.destroy();
    else if (!stream.res.writableEnded) stream.res.end(lastFrame);
  }

  private tick(): void {
    const now = this.state.now();
    this.onTick();
    const current = this.state.clock.slotAt(now);
    const maxBehind = Math.ceil(this.state.clock.tickRate * MAX_CATCH_UP_SECONDS);
    let slot = Math.max(this.lastSlot + 1, current - maxBehind + 1);
    if (slot <= current) this.disconnectSlowConsumers();
    for (; slot <= current; slot++) {
      this.metrics.slots.inc();
      if (this.streams.size > 0) this.broadcast(slot, now);
    }
    this.lastSlot = current;
  }

  private broadcast(slot: number, now: number): void {
    const effects = this.state.effects(now);
    const outage = effects.outage('hermes');
    const mode = effects.hermesMode();
    if (outage !== null) {
      for (const s of [...this.streams]) this.end(s, outage === 'drop' ? 'destroy' : 'end');
      return;
    }
    if (mode?.mode === 'close' || mode?.mode === 'error-frame') {
      for (const s of [...this.streams])
        this.end(s, 'end', mode.mode === 'error-frame' ? `event:error\ndata:${mode.message}\n\n` : undefined);
      return;
    }
    if (mode?.mode === 'silent') return;
    const snapshot = slotSnapshot(this.state.market, this.state.clock, slot);
    for (const s of this.streams) {
      const feeds = s.request.ids.map((id) => snapshot.get(id)).filter((f): f is HermesFeedSnapshot => f !== undefined);
      const body = priceUpdateBody(feeds, { encoding: s.request.encoding, parsed: s.request.parsed });
      const verdict = this.state.nextMalformed('hermes');
      const data = verdict.malformed ? malformedText('hermes', body, verdict.counter) : JSON.stringify(body);
      s.res.write(`data:${data}\n\n`);
      this.metrics.hermesEvents.inc();
    }
  }

  /** Checked once per tick, before its slots are written, so our own catch-up bursts do not count. */
  private disconnectSlowConsumers(): void {
    for (const s of [...this.streams]) {
      if (s.res.writableLength > SLOW_CONSUMER_BYTES) {
        this.log.warn({ buffered: s.res.writableLength }, 'disconnecting slow SSE consumer');
        this.end(s, 'end', 'event:error\ndata:Slow consumer: disconnected\n\n');
      }
    }
  }

  private writeKeepAlive(): void {
    if (this.state.effects().hermesMode()?.mode === 'silent') return;
    for (const s of this.streams) s.res.write(':\n\n');
  }
}
