import WebSocket from 'ws';
import { textFrame } from './ws-frames';

/** Decodes frames with ws's own receiver (the client side of the protocol). */
function decode(frame: Buffer): Promise<{ text: string; binary: boolean }> {
  return new Promise((resolve, reject) => {
    type ReceiverLike = NodeJS.WritableStream & { on(e: string, f: (...a: unknown[]) => void): void };
    const { Receiver } = WebSocket as unknown as { Receiver: new (o: object) => ReceiverLike };
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data, isBinary) =>
      resolve({ text: (data as Buffer).toString(), binary: isBinary as boolean }),
    );
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('textFrame', () => {
  it.each([0, 5, 125, 126, 65_535, 65_536, 200_000])('frames a %i-byte payload as one text frame', async (n) => {
    const text = 'x'.repeat(n);
    expect(await decode(textFrame(Buffer.from(text)))).toEqual({ text, binary: false });
  });
});
