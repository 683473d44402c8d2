import type { HubOptions } from './hub';
import type { SocketClient } from './socket-client';

/** A complete, unmasked server-to-client WebSocket text frame (RFC 6455 §5.2) around `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (n < 126) {
    frame[1] = n;
  } else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * The hub's fast path for `ws` connections: a broadcast is framed once and the same bytes are
 * written to every socket — one write per client instead of ws framing each send. Safe because
 * compression is off, so ws itself never holds frames back that this could overtake.
 */
export const wsPreparedFrames: NonNullable<HubOptions<SocketClient>['prepared']> = {
  prepare: textFrame,
  write: (client, frame) => client.writeFrame(frame),
};
