// Typed errors that upstream services report in their bodies (or SSE frames) rather than as data.

export type UpstreamError =
  | { source: 'hermes'; kind: 'price-ids-not-found'; ids: string[]; message: string }
  | { source: 'hermes'; kind: 'update-data-not-found'; message: string }
  | { source: 'hermes'; kind: 'stream-error'; reason: HermesStreamErrorReason; message: string }
  | { source: 'cryptocompare'; kind: 'rate-limit' | 'api-error'; type: number; message: string }
  | { source: 'binance'; kind: 'rate-limit' | 'api-error'; code: number; message: string };

/** Why Hermes ended or interrupted a stream (`event:error` frames, apps/hermes/server/src/api/rest/v2/sse.rs). */
export type HermesStreamErrorReason = 'slow-consumer' | 'connection-timeout' | 'receive-error' | 'other';
