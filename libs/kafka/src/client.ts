import {
  Kafka,
  logLevel,
  type Consumer,
  type ConsumerConfig,
  type KafkaConfig,
  type LogEntry,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import { guardProducers, testGuardOn } from './test-guard';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Connection attempts are retried this many times before the client gives up. */
  retries?: number;
  /** SASL authentication (SCRAM or PLAIN); unset: none. */
  sasl?: { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string };
  /** TLS to the brokers: true (system CAs) or the CA bundle to trust. */
  ssl?: true | { ca: string[] };
  /**
   * A broker a test started for itself (no live system uses it): the test guard (test-guard.ts)
   * lets its producers write unprefixed topics.
   */
  privateBroker?: boolean;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose log lines go to our pino logger under module "kafkajs". Under
 * STABLEYIELD_TEST=1 its producers refuse the production (unprefixed) topics.
 */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const log = logger.child({ module: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    // A union of the three mechanisms; kafkajs types each one separately.
    ...(settings.sasl ? { sasl: settings.sasl as SASLOptions } : {}),
    ...(settings.ssl ? { ssl: settings.ssl } : {}),
    retry: { retries: settings.retries ?? 8, initialRetryTime: 100, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      log[LEVELS[entry.level] ?? 'info']({ namespace: entry.namespace, ...extra }, message);
    },
  };
  const kafka = new Kafka(config);
  return testGuardOn() && settings.privateBroker !== true ? guardProducers(kafka) : kafka;
}

export type { Kafka };

/**
 * A consumer of committed records only that never creates a topic, with a 30 s session and 3 s
 * heartbeats unless `config` says otherwise: what every reader of a topic starts from.
 */
export function committedConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  return kafka.consumer({
    readUncommitted: false,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    ...config,
  });
}
