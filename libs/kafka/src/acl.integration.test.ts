// The ACLs of access.ts on a real broker: SCRAM-SHA-512 listener, standard authorizer, one
// principal per app. Each app can do its own work with its own credentials; the keeper cannot
// write syi.calculated nor read the market, and the api cannot write at all.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import { APP_ACCESS, aclRules, appAccess, kafkaAcl, type AppAccess } from './access';
import { CATALOG } from './catalog';
import { createKafka } from './client';
import { partitionOffsets } from './admin';
import { connectKafka } from './connect';
import { provisionTopics } from './provision';
import { startScramBroker, type ScramBroker } from './scram-broker';
import { testStack } from './testing';

const logger = pino({ level: 'silent' });
const TIMEOUT = 240_000;

describe('Kafka ACLs of every app on a SCRAM broker with the standard authorizer', () => {
  let broker: ScramBroker;
  const clientOf = (principal: string): Kafka =>
    createKafka(
      {
        brokers: [broker.bootstrap],
        clientId: `${principal}-acl-test`,
        retries: 2,
        privateBroker: true,
        sasl: { mechanism: 'scram-sha-512', username: principal, password: broker.passwords.get(principal)! },
      },
      logger,
    );

  beforeAll(async () => {
    broker = await startScramBroker(APP_ACCESS.map((a) => a.principal));
    const admin = clientOf('admin').admin();
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await admin.connect();
        await admin.describeCluster();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    const topics = [...new Set(APP_ACCESS.flatMap((a) => [...a.reads, ...a.writes]))];
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    await admin.createAcls({
      acl: APP_ACCESS.flatMap((a) => aclRules(a).map((rule) => kafkaAcl(rule, a.principal))),
    });
    // One record in every topic for the readers to find.
    const producer = clientOf('admin').producer();
    await producer.connect();
    for (const topic of topics) await producer.send({ topic, messages: [{ key: 'k', value: 'seed' }] });
    await producer.disconnect();
    await admin.disconnect();
  }, TIMEOUT);

  afterAll(async () => {
    await broker?.stop();
  }, 60_000);

  async function produce(principal: string, topic: string, transactionalId?: string): Promise<void> {
    const producer = clientOf(principal).producer(
      transactionalId ? { transactionalId, idempotent: true, maxInFlightRequests: 1 } : { idempotent: true },
    );
    await producer.connect();
    try {
      if (transactionalId) {
        const tx = await producer.transaction();
        await tx.send({ topic, messages: [{ value: 'x' }] });
        await tx.commit();
      } else {
        await producer.send({ topic, messages: [{ value: 'x' }] });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Joins a group named under the app's prefix and reads a record from each topic. */
  async function readAll(access: AppAccess, topics: readonly string[]): Promise<Set<string>> {
    const consumer = clientOf(access.principal).consumer({
      groupId: `${access.groupPrefixes[0]}acl-${randomUUID().slice(0, 8)}`,
    });
    const seen = new Set<string>();
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run({
        eachMessage: ({ topic }) => {
          seen.add(topic);
          return Promise.resolve();
        },
      });
      const deadline = Date.now() + 60_000;
      while (seen.size < topics.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  /** The broker's refusal: an authorization error (kafkajs reports it as a type or in the message). */
  async function refusal(operation: Promise<unknown>): Promise<string> {
    try {
      await operation;
    } catch (err) {
      // kafkajs wraps some refusals (a FindCoordinator refused for the transactional id) in its own
      // error, and gathers those of several topics (createTopics) in an aggregate one.
      const e = err as {
        type?: string;
        message?: string;
        originalError?: { type?: string; message?: string };
        cause?: { type?: string };
        errors?: { type?: string }[];
      };
      const gathered = (e.errors ?? []).map((x) => x.type);
      return [e.type, e.message, e.originalError?.type, e.originalError?.message, e.cause?.type, ...gathered]
        .filter(Boolean)
        .join(' ');
    }
    return 'allowed';
  }

  it(
    'refuses the keeper a write to syi.calculated',
    async () => {
      expect(await refusal(produce('keeper', 'syi.calculated'))).toMatch(/Topic authorization failed/i);
    },
    TIMEOUT,
  );

  it(
    'refuses the api any write, and the keeper a read of the market inputs',
    async () => {
      // Without WRITE on any topic the api may not even start an idempotent producer.
      expect(await refusal(produce('api', 'syi.calculated'))).toMatch(
        /(CLUSTER|TOPIC)_AUTHORIZATION_FAILED|authorization failed/i,
      );
      const consumer = clientOf('keeper').consumer({ groupId: `keeper-acl-${randomUUID().slice(0, 8)}` });
      await consumer.connect();
      await expect(
        consumer
          .subscribe({ topics: ['cc.prices'], fromBeginning: true })
          .then(() => consumer.run({ eachMessage: () => Promise.resolve() }))
          .then(() => new Promise((_, reject) => consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error)))),
      ).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
      await consumer.disconnect();
    },
    TIMEOUT,
  );

  it(
    'refuses a processor a transactional id outside its prefix',
    async () => {
      // kafkajs reports the refused FindCoordinator of the transactional id as "Failed to find group
      // coordinator"; the same write with an id under its own prefix goes through.
      expect(await refusal(produce('processor-syi', 'syi.calculated', 'processor-peg-stolen'))).toMatch(
        /TRANSACTIONAL_ID_AUTHORIZATION_FAILED|find group coordinator/i,
      );
      expect(
        await refusal(produce('processor-syi', 'syi.calculated', `processor-syi-${randomUUID().slice(0, 8)}`)),
      ).toBe('allowed');
    },
    TIMEOUT,
  );

  it.each(APP_ACCESS.map((a) => a.principal))(
    'starts %s as Kubernetes does (PROVISION_TOPICS=false: no topic touched); provisioning is refused it',
    async (principal) => {
      const config = {
        KAFKA_BROKERS: [broker.bootstrap],
        KAFKA_SASL_MECHANISM: 'scram-sha-512' as const,
        KAFKA_SASL_USERNAME: principal,
        KAFKA_SASL_PASSWORD: broker.passwords.get(principal)!,
        SCHEMA_REGISTRY_URL: testStack().registryUrl,
        KAFKA_REPLICATION_FACTOR: 1,
        PROVISION_TOPICS: false,
      };
      const { kafka } = await connectKafka(config, logger, { clientId: principal, provision: CATALOG });
      // the connection works under the app's own principal: the end offsets of a topic of its own
      const access = appAccess(principal);
      const own = access.reads[0] ?? access.writes[0]!;
      expect((await partitionOffsets(kafka, own)).length).toBeGreaterThan(0);
      // Provisioning itself needs rights the app's ACLs do not give: where an app provisioned
      // regardless of PROVISION_TOPICS, it could not start at all.
      expect(await refusal(provisionTopics(kafka, logger, { replicationFactor: 1, topics: CATALOG }))).toMatch(
        /authoriz/i,
      );
    },
    TIMEOUT,
  );

  it.each(APP_ACCESS.map((a) => a.principal))(
    'lets %s write and read what it needs with its own credentials',
    async (principal) => {
      const access = appAccess(principal);
      for (const topic of access.writes) {
        const transactional = access.transactionalIdPrefixes[0] !== undefined && !topic.endsWith('.dlq');
        await produce(
          principal,
          topic,
          transactional ? `${access.transactionalIdPrefixes[0]}-acl-${randomUUID().slice(0, 8)}` : undefined,
        );
      }
      if (access.reads.length > 0)
        expect([...(await readAll(access, access.reads))].sort()).toEqual([...access.reads].sort());
    },
    TIMEOUT,
  );
});
