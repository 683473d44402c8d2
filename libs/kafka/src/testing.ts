/**
 * Helpers for integration tests against the real local stack (scripts/stack/stack.sh up).
 * Test code only: never imported by an app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Kafka, KafkaMessage } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createRegistryClient, registerSchemas, VALUE_SCHEMAS } from '@stableyield/schemas';
import { partitionOffsets } from './admin';
import { createKafka } from './client';
import { KafkaMetrics } from './metrics';
import { TopicProducer } from './producer';
import { CATALOG, prefixedSpecs, topicSpec } from './catalog';
import { provisionTopics } from './provision';
import { TopicSerde } from './serde';

export interface TestStack {
  brokers: string[];
  registryUrl: string;
  kafka: Kafka;
  serde: TopicSerde;
  logger: Logger;
}

/** Connects to the stack the test scripts started (env overrides the local defaults). */
export function testStack(env: NodeJS.ProcessEnv = process.env): TestStack {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const registryUrl = env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
  // stderr: benchmarks print their JSON result on stdout
  const logger = pino({ level: env.TEST_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const kafka = createKafka({ brokers, clientId: `test-${randomUUID().slice(0, 8)}`, retries: 3 }, logger);
  return {
    brokers,
    registryUrl,
    kafka,
    serde: new TopicSerde(createRegistryClient(registryUrl), { latestCacheSeconds: 1 }),
    logger,
  };
}

/**
 * A topic prefix no other run uses. Tests write only prefixed topics: the stack's broker may be
 * serving a live `npm start`, and STABLEYIELD_TEST=1 makes every producer refuse the production
 * topics (test-guard.ts).
 */
export const testPrefix = (name: string) => `test-${name}-${randomUUID().slice(0, 8)}.`;

/** A test file's stack, a topic prefix of its own (testPrefix) and KafkaMetrics in a registry of its own. */
export function testFileStack(name: string): { stack: TestStack; prefix: string; metrics: KafkaMetrics } {
  return { stack: testStack(), prefix: testPrefix(name), metrics: KafkaMetrics.of(new Registry()) };
}

/** Topics of the catalog (under `prefix`) and their schemas, as an app's start-up provisions them. */
export async function provisionAll(stack: TestStack, prefix = ''): Promise<void> {
  await provisionTopics(stack.kafka, stack.logger, { replicationFactor: 1, topics: prefixedSpecs(prefix, CATALOG) });
  await registerSchemas(createRegistryClient(stack.registryUrl));
}

/**
 * Catalog topics under `prefix`: created with their catalog settings, and the value schema of each
 * one that has one registered under its prefixed name.
 */
export async function provisionTestTopics(stack: TestStack, prefix: string, topics: readonly string[]): Promise<void> {
  await provisionTopics(stack.kafka, stack.logger, {
    replicationFactor: 1,
    topics: prefixedSpecs(prefix, topics.map(topicSpec)),
  });
  const schemas = topics.flatMap((t) => (VALUE_SCHEMAS[t] ? [[`${prefix}${t}`, VALUE_SCHEMAS[t]] as const] : []));
  await registerSchemas(createRegistryClient(stack.registryUrl), Object.fromEntries(schemas));
}

/** A TopicProducer on the test stack (its metrics in a registry of its own), connected. */
export async function connectTestProducer(stack: TestStack): Promise<TopicProducer> {
  const producer = new TopicProducer(stack.kafka, stack.serde, KafkaMetrics.of(new Registry()), stack.logger);
  await producer.connect();
  return producer;
}

/**
 * The stack for a test file with topics of its own: `prefix`ed, provisioned before all its tests, deleted after
 * all.
 */
export function stackWithTopics(prefix: string): TestStack {
  const stack = testStack();
  beforeAll(() => provisionAll(stack, prefix));
  afterAll(() => deletePrefixed(stack, prefix));
  return stack;
}

/** Deletes a test run's copies of the catalog topics (the broker is shared: do not let them pile up). */
export async function deletePrefixed(stack: TestStack, prefix: string): Promise<void> {
  if (prefix === '') throw new Error('refusing to delete the production topics');
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 30_000 }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

export { startScramBroker, type ScramBroker, type ScramBrokerOptions } from './scram-broker';

/** A group id no other test uses. */
export const uniqueGroup = (name: string) => `test-${name}-${randomUUID().slice(0, 8)}`;

/** Offsets at the end of every partition of a topic, to read only what a test writes next. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  return new Map((await partitionOffsets(kafka, topic)).map((p) => [p.partition, String(p.high)]));
}

/**
 * Reads a topic from given offsets (or the beginning) until `done` says enough or the
 * timeout passes; read_committed unless told otherwise.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: {
    from?: Map<number, string>;
    done: (messages: KafkaMessage[]) => boolean;
    timeoutMs?: number;
    readUncommitted?: boolean;
  },
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({
    groupId: uniqueGroup('reader'),
    readUncommitted: options.readUncommitted ?? false,
  });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // Seek at every group join: on a fresh broker kafkajs may restart the consumer ("coordinator
    // loading") and a seek made before that is lost, or refused while the group is re-created.
    // Records before `from` are skipped as well, whatever the fetch position turns out to be.
    const seekToFrom = () => {
      for (const [partition, offset] of options.from ?? []) consumer.seek({ topic, partition, offset });
    };
    if (options.from) consumer.on(consumer.events.GROUP_JOIN, seekToFrom);
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const from = options.from?.get(partition);
        if (from !== undefined && BigInt(message.offset) < BigInt(from)) return;
        messages.push(message);
        if (options.done(messages)) finish();
        return Promise.resolve();
      },
    });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs ?? 30_000).unref());
    // `done` may turn true without a new message (a caller that stops collecting): ask it now and then too.
    const poll = setInterval(() => {
      if (options.done(messages)) finish();
    }, 200);
    try {
      await Promise.race([finished, timeout]);
    } finally {
      clearInterval(poll);
    }
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Polls an async condition until it holds; fails with `what` after the timeout. A condition that
 * throws counts as "not yet" (a fresh broker answers "coordinator loading" or "not the correct
 * coordinator" for a while); the last error is reported if the time runs out.
 */
export async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause =
        lastError === undefined
          ? ''
          : ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The committed offset of a consumer group on one partition ("-1" when none). */
export async function committedOffset(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partition: number,
): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
  } finally {
    await admin.disconnect();
  }
}

/** The repository root. */
export const repoRoot = () => resolve(__dirname, '..', '..', '..');

/** An app started by a test: its process, everything it printed (JSON log lines), its exit. */
export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts an app's main.ts in one node process (tsx as a loader, so SIGKILL hits the app itself).
 * `*_FILE` variables of the test's environment are not passed on (an app would read a secret
 * from them); `APP_NODE_ARGS` adds Node options for the apps only, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export function spawnApp(app: string, env: Record<string, string>, args: readonly string[] = []): AppProcess {
  const root = repoRoot();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.endsWith('_FILE')));
  const nodeArgs = (process.env.APP_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(root, 'apps', app, 'src', 'main.ts'), ...args],
    {
      cwd: root,
      env: { ...inherited, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

/**
 * Waits for a condition while an app runs: an app that exits ends the wait at once, and a failed
 * wait shows the app's last output (a bare timeout would hide why it never got there).
 */
export async function waitWhileAppRuns(
  app: AppProcess,
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<void> {
  const gone = () => app.child.exitCode !== null || app.child.signalCode !== null;
  const tail = () => `\n--- the app's last output ---\n${app.output().slice(-4_000)}`;
  try {
    await waitFor(what, async () => gone() || (await condition()), timeoutMs, intervalMs);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}${tail()}`, { cause: error });
  }
  if (gone())
    throw new Error(`waiting for ${what}: the app exited (${app.child.exitCode ?? app.child.signalCode})${tail()}`);
}

/** Sends a signal and waits until the process is gone. */
export async function stopApp(p: AppProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await p.exited;
}

/**
 * A schema registry a test can take away: an HTTP proxy on its own port in front of the stack's
 * registry (which other tests and engineers keep using). `down()` closes the port (connection
 * refused), `failing()` answers every request 503, `up()` forwards again.
 */
export class RegistryProxy {
  private server: Server | undefined;
  private mode: 'up' | 'failing' = 'up';

  private constructor(
    private readonly target: URL,
    readonly port: number,
  ) {}

  static async start(registryUrl: string): Promise<RegistryProxy> {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const proxy = new RegistryProxy(new URL(registryUrl), port);
    await proxy.up();
    return proxy;
  }

  /** The registry URL through the proxy (same path as the real one). */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.target.pathname}`;
  }

  async up(): Promise<void> {
    this.mode = 'up';
    if (this.server) return;
    const server = createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  /** Every request answered 503, as a registry whose storage is unavailable. */
  async failing(): Promise<void> {
    await this.up();
    this.mode = 'failing';
  }

  /** Nothing listens: connections are refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    if (this.mode === 'failing') {
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end('{"error_code":50301,"message":"registry unavailable (test)"}');
      return;
    }
    const upstream = httpRequest(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  }
}
