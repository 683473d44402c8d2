// Helpers for the ingesters' tests (test code only, never imported by an app).
import type { TestStack } from '@stableyield/kafka/testing';
import { createMetricsRegistry, ProgressMonitor, Readiness } from '@stableyield/observability';

/** What an ingester's factory takes from its process, for a test: the test stack's Kafka and serde, fresh metrics. */
export function ingesterTestDeps(stack: TestStack, app: string) {
  const registry = createMetricsRegistry(app, { defaultMetrics: false });
  return {
    kafka: stack.kafka,
    serde: stack.serde,
    registry,
    progress: new ProgressMonitor(Date.now, registry),
    readiness: new Readiness(),
  };
}
