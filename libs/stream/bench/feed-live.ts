import { Registry } from 'prom-client';
import { KafkaMetrics, TopicProducer } from '@stableyield/kafka';
import { testStack } from '@stableyield/kafka/testing';
import { SyntheticMarket } from '../src';
import { produceInputs, provisionPrefixed } from '@stableyield/stream/testing';
const prefix = process.argv[2]!;
const stack = testStack();
void (async () => {
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  const producer = new TopicProducer(stack.kafka, stack.serde, KafkaMetrics.of(new Registry()), stack.logger);
  await producer.connect();
  const market = new SyntheticMarket({ startMs: Date.now(), seed: 11 });
  const end = Date.now() + Number(process.argv[3] ?? 30) * 1000;
  while (Date.now() < end) {
    await produceInputs(producer, stack.serde, prefix, [...market.until(Date.now())]);
    await new Promise((r) => setTimeout(r, 50));
  }
  await producer.disconnect();
})();
