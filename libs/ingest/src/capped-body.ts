// Response bodies read with a ceiling: an upstream that answers with an endless or huge body
// must not take the ingester's memory with it (`response.text()` buffers everything).

/** The body was larger than allowed; the read stopped there and the connection was cancelled. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`response body larger than ${maxBytes} bytes`);
  }
}

/** 32 MiB: DefiLlama's pool list, the largest body we read, is a few MiB. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The body as UTF-8 text, or BodyTooLargeError once more than `maxBytes` arrived (Content-Length checked first). */
export async function readTextCapped(response: Response, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let received = 0;
  // Leaving the loop early cancels the stream, which closes the connection.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.byteLength;
    if (received > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received).toString('utf8');
}
