// The live stream as the ticker page sees it: WebSocket clients of the gateway that reconnect.
import WebSocket from 'ws';
import type { SyiRecord } from '@stableyield/schemas';

/** Every message of the live stream, from connect on. */
export interface StreamClient {
  messages: SyiRecord[];
  /** wall-clock ms each message arrived (same order as messages) */
  arrivals: number[];
  close(): void;
}

/** A client that reconnects (as the ticker page does) when the gateway goes away. */
export function subscribe(url: string): StreamClient {
  const messages: SyiRecord[] = [];
  const arrivals: number[] = [];
  let closed = false;
  let ws: WebSocket;
  const connect = () => {
    ws = new WebSocket(url);
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (!closed) setTimeout(connect, 500);
    });
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type: string } & SyiRecord;
      if (m.type !== 'syi') return;
      messages.push(m);
      arrivals.push(Date.now());
    });
  };
  connect();
  return {
    messages,
    arrivals,
    close: () => {
      closed = true;
      ws.close();
    },
  };
}
