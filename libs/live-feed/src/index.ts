export { LatestSyi, etagOf, snapshotOf, type LatestSnapshot, type SnapshotListener } from './latest';
export { CLOSE, FanoutHub, type HubClient, type HubOptions } from './hub';
export { StreamMetrics, type DropReason } from './metrics';
export {
  STREAM_CHANNELS,
  startStreamServer,
  type Refusal,
  type StreamServer,
  type StreamServerOptions,
} from './stream-server';
export { connectSyiFeed, createSyiFeed, instanceGroupId, type ServingFeedConfig, type SyiFeedDeps } from './syi-feed';
export { textFrame, wsPreparedFrames } from './ws-frames';
export { SocketClient } from './socket-client';
