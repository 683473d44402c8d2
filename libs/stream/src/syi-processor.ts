// processor-syi: the index as an event-time processor. One active instance reads every raw
// input and publishes `syi.calculated` (§4 plus methodologyVersion and the digest chain).
import { INPUT_TOPICS } from '@stableyield/index-engine';
import { changelogTopicSpec, prefixedTopic } from '@stableyield/kafka';
import type { SyiRecord } from '@stableyield/schemas';
import { EventTimeProcessor, type EventTimeProcessorOptions, type ProcessorOutput } from './event-time-processor';
import { SyiMetrics } from './processor-metrics';

export const SYI_CHANGELOG = 'processor-syi.changelog';

export type SyiProcessorOptions = EventTimeProcessorOptions;

export class SyiProcessor extends EventTimeProcessor<'syi.calculated'> {
  private readonly syi: SyiMetrics;

  constructor(options: SyiProcessorOptions) {
    const syi = new SyiMetrics(options.registry);
    const output: ProcessorOutput<'syi.calculated'> = {
      name: 'syi',
      topic: 'syi.calculated',
      changelog: SYI_CHANGELOG,
      changelogPartition: 0,
      checkpointKey: 'processor-syi',
      trackInputs: true,
      deadLettersInvalid: true,
      inputs: INPUT_TOPICS,
      accepts: () => true,
      evaluate: (state, T, index) => {
        const record = state.evaluate(T);
        return record === null ? [] : [index.chain(record)];
      },
      keyOf: () => 'SYI',
      tsOf: (r) => r.ts,
      onPublished: (records, wall) => this.publishGauges(records[records.length - 1] as SyiRecord, wall),
    };
    super(options, output);
    this.syi = syi;
  }

  static changelogSpec(prefix: string) {
    return changelogTopicSpec(prefixedTopic(prefix, SYI_CHANGELOG));
  }

  protected override onEvaluated(count: number, seconds: number): void {
    this.syi.calculationLatency.observe(seconds / count);
  }

  private publishGauges(r: SyiRecord, wall: number): void {
    this.syi.value.set(r.value);
    if (r.rpl !== null) this.syi.rpl.set(r.rpl);
    this.syi.lastPublished.set(wall / 1000);
    this.syi.eligible.set(r.eligible);
    this.syi.completeness.set(r.eligible / this.index.params.constituents.length);
    for (const c of r.constituents) {
      this.syi.weight.set({ symbol: c.symbol }, c.weight);
      this.syi.ray.set({ symbol: c.symbol }, c.ray);
    }
  }
}
