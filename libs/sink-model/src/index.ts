export * from './model';
export {
  SinkMetrics,
  createSinkHandler,
  type SinkHandlerOptions,
  type SinkName,
  type SinkRecord,
  type SinkWriter,
  type WriteOutcome,
} from './sink';
export { startSinkConsumer, type SinkAppOptions } from './sink-app';
