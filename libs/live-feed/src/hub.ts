import type { DropReason, StreamMetrics } from './metrics';

/** What the hub needs of a connection (a `ws` WebSocket satisfies it). */
export interface HubClient {
  /** Bytes queued for this client and not yet written to its socket. */
  readonly bufferedAmount: number;
  /** `binary: false`: the messages are JSON text frames (browsers get strings, not Blobs). */
  send(data: Buffer, options: { binary: boolean }): void;
  ping(): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

/** Close codes the gateway sends (4000–4999 are for applications). */
export const CLOSE = {
  /** The server is shutting down: reconnect elsewhere. */
  goingAway: { code: 1001, reason: 'server shutting down' },
  /** The instance holds its maximum of connections: retry later (or another instance). */
  tryAgainLater: { code: 1013, reason: 'connection limit reached' },
  /** The client could not keep up: its send buffer passed the limit. */
  slowConsumer: { code: 4008, reason: 'slow consumer: send buffer limit exceeded' },
} as const;

export interface HubOptions<C extends HubClient = HubClient> {
  maxConnections: number;
  /** A client whose queued bytes would pass this is dropped instead of being sent more. */
  maxBufferedBytes: number;
  /**
   * Bytes all clients together may have queued. Each client gets an equal share (at most
   * `maxBufferedBytes`), so memory stays bounded however many clients stop reading; a client
   * with nothing queued may always take one message.
   */
  maxTotalBufferedBytes?: number;
  /** After a close frame, how long a client has to close before its socket is destroyed. */
  closeGraceMs?: number;
  metrics?: StreamMetrics;
  /**
   * Optional fast path: `prepare` encodes a broadcast once (e.g. into a complete WebSocket frame)
   * and `write` hands that to one client, instead of `client.send` framing it per client.
   */
  prepared?: { prepare(data: Buffer): Buffer; write(client: C, prepared: Buffer): void };
}

const TEXT_FRAME = { binary: false } as const;

interface ClientState {
  channel: string;
  alive: boolean;
}

/**
 * Fan-out of encoded messages to the clients of named channels. A client that cannot keep up
 * is closed rather than buffered without bound, so it never slows the others; clients that
 * miss a heartbeat are cut.
 */
export class FanoutHub<C extends HubClient = HubClient> {
  private readonly channels = new Map<string, Set<C>>();
  private readonly states = new Map<C, ClientState>();
  private readonly graceMs: number;
  /** Upgrades admitted but not yet added (authorizing, handshaking): they count against the limit. */
  private pending = 0;

  constructor(private readonly options: HubOptions<C>) {
    this.graceMs = options.closeGraceMs ?? 2_000;
  }

  get size(): number {
    return this.states.size;
  }

  get isFull(): boolean {
    return this.states.size + this.pending >= this.options.maxConnections;
  }

  /**
   * Holds a place for a connection being set up; false when the instance is full. The place is
   * taken by `add` or given back by `release`.
   */
  reserve(): boolean {
    if (this.isFull) return false;
    this.pending++;
    return true;
  }

  release(): void {
    if (this.pending > 0) this.pending--;
  }

  /** The most bytes one client may have queued now: its share of the total budget. */
  get bufferLimitPerClient(): number {
    const total = this.options.maxTotalBufferedBytes;
    if (total === undefined) return this.options.maxBufferedBytes;
    return Math.min(this.options.maxBufferedBytes, Math.floor(total / Math.max(1, this.states.size)));
  }

  clients(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  /**
   * Registers a client on a channel, taking a place held by `reserve` if `reserved`; false when
   * the instance is full (the caller refuses it).
   */
  add(channel: string, client: C, reserved = false): boolean {
    if (reserved) this.release();
    if (this.isFull) return false;
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(client);
    this.states.set(client, { channel, alive: true });
    this.options.metrics?.active.set(this.states.size);
    this.options.metrics?.subscribers.set({ channel }, set.size);
    return true;
  }

  /** Forgets a client (call it when its connection closed, for whatever reason). */
  remove(client: C): void {
    const state = this.states.get(client);
    if (!state) return;
    this.states.delete(client);
    this.channels.get(state.channel)?.delete(client);
    this.options.metrics?.active.set(this.states.size);
    this.options.metrics?.subscribers.set({ channel: state.channel }, this.clients(state.channel));
  }

  /** Sends to one client unless that would pass its buffer limit; false when it was dropped. */
  send(client: C, data: Buffer): boolean {
    const prepared = this.options.prepared;
    const ok = this.deliver(client, prepared ? prepared.prepare(data) : data, this.bufferLimitPerClient);
    if (ok) this.options.metrics?.sent.inc();
    return ok;
  }

  /** Sends to every client of a channel, encoding the message once; returns how many got it. */
  broadcast(channel: string, data: Buffer): number {
    const set = this.channels.get(channel);
    if (!set) return 0;
    const prepared = this.options.prepared;
    const payload = prepared ? prepared.prepare(data) : data;
    const limit = this.bufferLimitPerClient;
    let sent = 0;
    // Copy: dropping a client deletes it from the set being iterated.
    for (const client of [...set]) if (this.deliver(client, payload, limit)) sent++;
    this.options.metrics?.sent.inc(sent); // once per broadcast, not per client
    return sent;
  }

  private deliver(client: C, payload: Buffer, limit: number): boolean {
    if (!this.states.has(client)) return false;
    const queued = client.bufferedAmount;
    if (queued > 0 && queued + payload.length > limit) {
      const { code, reason } = CLOSE.slowConsumer;
      this.drop(client, 'slow_consumer', code, reason);
      return false;
    }
    try {
      if (this.options.prepared) this.options.prepared.write(client, payload);
      else client.send(payload, TEXT_FRAME);
    } catch {
      this.drop(client, 'error');
      return false;
    }
    return true;
  }

  /** The client answered a ping (or sent anything): it is alive. */
  markAlive(client: C): void {
    const state = this.states.get(client);
    if (state) state.alive = true;
  }

  /**
   * One heartbeat round: clients that did not answer the previous ping are terminated,
   * the others are pinged. Call it every heartbeat interval.
   */
  heartbeat(): number {
    let cut = 0;
    for (const [client, state] of [...this.states]) {
      if (!state.alive) {
        this.remove(client);
        this.options.metrics?.dropped.inc({ reason: 'heartbeat_timeout' });
        client.terminate();
        cut++;
        continue;
      }
      state.alive = false;
      try {
        client.ping();
      } catch {
        this.drop(client, 'error');
      }
    }
    return cut;
  }

  /** Sends every client a close frame (shutdown); their sockets are destroyed after the grace time. */
  closeAll(code: number = CLOSE.goingAway.code, reason: string = CLOSE.goingAway.reason): void {
    for (const client of [...this.states.keys()]) this.drop(client, 'shutdown', code, reason);
  }

  private drop(client: C, why: DropReason, code = 1011, reason = 'internal error'): void {
    this.remove(client);
    this.options.metrics?.dropped.inc({ reason: why });
    try {
      client.close(code, reason);
    } catch {
      client.terminate();
      return;
    }
    // A client too slow to read data is too slow to read the close frame: do not wait on it forever.
    setTimeout(() => client.terminate(), this.graceMs).unref();
  }
}
