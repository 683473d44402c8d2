// A single KRaft node with a SCRAM-SHA-512 listener and the standard authorizer, started from the
// jars the local stack installed (~/.cache/stableyield/kafka-<version>/lib) on free loopback
// ports beside the shared stack: for tests of authentication and ACLs. `admin` is a super user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScramBroker {
  readonly bootstrap: string;
  /** Password of each principal given to startScramBroker, and of `admin`. */
  readonly passwords: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/** Where scripts/stack/components/kafka.sh installs Kafka's jars (its KAFKA_VERSION). */
const KAFKA_LIB = join(homedir(), '.cache/stableyield/kafka-4.4.0/lib');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Kafka cluster id: 16 random bytes, base64url, not starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(dir: string, port: number, controllerPort: number, adminPassword: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=' +
      'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
      `username="admin" password="${adminPassword}";`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    // ANONYMOUS only exists on the controller listener (loopback, the node talking to itself).
    'super.users=User:admin;User:ANONYMOUS',
    'allow.everyone.if.no.acl.found=false',
    `log.dirs=${join(dir, 'data')}`,
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

export interface ScramBrokerOptions {
  /**
   * `checks` (default): a small heap, C1 only and serial GC, which start fast for a few ACL checks.
   * `system`: the local stack's broker settings (768 MB heap, G1 as kafka-server-start.sh sets it),
   * for a whole system's traffic.
   */
  jvm?: 'checks' | 'system';
}

const JVM_FLAGS = {
  checks: ['-Xms128m', '-Xmx384m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'],
  system: ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35'],
} as const;

const java = (args: readonly string[], jvm: keyof typeof JVM_FLAGS = 'checks') => [
  ...JVM_FLAGS[jvm],
  '-cp',
  `${KAFKA_LIB}/*`,
  ...args,
];

/** Starts the broker with a SCRAM-SHA-512 credential for each principal (random passwords). */
export async function startScramBroker(
  principals: readonly string[],
  options: ScramBrokerOptions = {},
): Promise<ScramBroker> {
  if (!existsSync(KAFKA_LIB))
    throw new Error(`${KAFKA_LIB} is missing: run npm run stack -- up kafka once (it installs the jars)`);
  const dir = mkdtempSync(join(tmpdir(), 'scram-broker-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const passwords = new Map<string, string>([['admin', randomBytes(12).toString('hex')]]);
  for (const p of principals) passwords.set(p, randomBytes(12).toString('hex'));
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties(dir, port, controllerPort, passwords.get('admin')!));
  const scram = [...passwords].flatMap(([name, password]) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${name},password=${password}]`,
  ]);
  const format = spawnSync(
    'java',
    java(['kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', properties, ...scram]),
    { encoding: 'utf8' },
  );
  if (format.status !== 0) throw new Error(`formatting the SCRAM broker failed: ${format.stderr || format.stdout}`);
  const child: ChildProcess = spawn('java', java([`-Dkafka.logs.dir=${dir}`, 'kafka.Kafka', properties], options.jvm), {
    stdio: 'ignore',
  });
  return {
    bootstrap: `127.0.0.1:${port}`,
    passwords,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
