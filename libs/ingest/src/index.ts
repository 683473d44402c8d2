// Source clients of the ingesters: Hermes SSE with reconnects and fail-over, HTTP polling with retries
// and rate limits, a scheduler, and the publishers that turn upstream payloads into topic records.
export * from './backoff';
export * from './dedupe';
export * from './sink';
export * from './hermes-client';
export * from './eventsource-connector';
export * from './hermes-publisher';
export * from './http-fetch';
export * from './scheduler';
export * from './market-sources';
export * from './market-poller';
