// Health check of the local Kafka: a real metadata round trip with kafkajs, not just an open port.
//   node health.mjs BROKERS [NODE_ID...]
// Exits 0 when the cluster answers and every listed node id is a registered broker
// (with no ids: when at least one broker answers). Prints the registered broker ids.
import { Kafka, logLevel } from 'kafkajs';

const [brokers, ...wantedIds] = process.argv.slice(2);
if (!brokers) {
  console.error('usage: node health.mjs host:port[,host:port...] [nodeId...]');
  process.exit(2);
}

const kafka = new Kafka({
  clientId: 'stack-health',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
try {
  await admin.connect();
  const { brokers: registered } = await admin.describeCluster();
  const ids = registered.map((b) => b.nodeId).sort((a, b) => a - b);
  console.log(`brokers: ${ids.join(',')}`);
  const missing = wantedIds.map(Number).filter((id) => !ids.includes(id));
  if (missing.length > 0) {
    console.error(`not registered yet: ${missing.join(',')}`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`kafka not ready: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
}
