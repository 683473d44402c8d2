// The production StreamConnector: the `eventsource` package (what @pythnetwork/hermes-client uses), with
// its own reconnects disabled (HermesClient decides when and how to reconnect). The fetch wrapper adds
// the API key header and keeps the status, body and Retry-After of a refused connection, which
// EventSource itself does not expose.
import { EventSource, type FetchLikeInit } from 'eventsource';
import { parseRetryAfter } from './backoff';
import { type StreamConnection, type StreamConnector, type StreamFailure, type StreamHandlers } from './hermes-client';

export function eventSourceConnector(fetchFn: typeof fetch = fetch): StreamConnector {
  return (url: string, headers: Readonly<Record<string, string>>, handlers: StreamHandlers): StreamConnection => {
    let refusal: StreamFailure | null = null;
    let done = false;
    const es = new EventSource(url, {
      fetch: async (input: string | URL, init: FetchLikeInit) => {
        const response = await fetchFn(input, { ...init, headers: { ...init.headers, ...headers } });
        if (response.status !== 200) {
          const body = await response.text().catch(() => '');
          const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
          refusal = {
            message: `HTTP ${response.status}`,
            status: response.status,
            body,
            ...(retryAfterMs === null ? {} : { retryAfterMs }),
          };
          // EventSource only needs the status to fail the connection.
          return new Response(null, { status: response.status, headers: response.headers });
        }
        return response;
      },
    });
    const finish = (report: () => void): void => {
      if (done) return;
      done = true;
      es.close();
      report();
    };
    es.onopen = () => handlers.open();
    es.onmessage = (event: MessageEvent) => {
      if (!done) handlers.message(String(event.data));
    };
    // Named `error` frames arrive as MessageEvents on 'error' listeners; transport errors as ErrorEvents.
    es.addEventListener('error', (event: Event) => {
      if ('data' in event && typeof event.data === 'string') {
        const message = event.data;
        finish(() => handlers.serverError(message));
        return;
      }
      const err = event as Event & { code?: number; message?: string };
      const failure: StreamFailure = refusal ?? {
        message: err.message ?? 'stream ended',
        ...(err.code === undefined ? {} : { status: err.code }),
      };
      finish(() => handlers.failure(failure));
    });
    return { close: () => finish(() => undefined) };
  };
}
