import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { HubClient } from './hub';

/**
 * A `ws` connection together with the socket it was upgraded on (the one the server's
 * `upgrade` event handed over), so pre-built frames can be written to that socket without
 * reaching into `ws`'s private fields.
 */
export class SocketClient implements HubClient {
  constructor(
    readonly ws: WebSocket,
    private readonly socket: Duplex,
    /** The client's address as the gateway sees it (after X-Forwarded-For, when trusted). */
    readonly ip: string,
  ) {}

  /** Bytes queued in `ws` and in the socket (`ws` counts the socket's writable buffer too). */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Writes a complete frame (see `textFrame`); only while the connection is open. */
  writeFrame(frame: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) throw new Error('connection is not open');
    this.socket.write(frame);
  }

  send(data: Buffer, options: { binary: boolean }): void {
    this.ws.send(data, options);
  }

  ping(): void {
    this.ws.ping();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
