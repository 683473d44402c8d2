// What each app may do on the brokers, least privilege: one principal per app (a Strimzi
// KafkaUser in Kubernetes), the topics it reads and writes, and the prefixes of its consumer
// groups and transactional ids. The Kubernetes KafkaUsers are generated from this table
// (libs/deployment) and acl.integration.test.ts proves it on a broker with the standard
// authorizer: each app can do its work, and nothing else (the keeper cannot write syi.calculated).
// The system e2e test runs every app with these ACLs alone.
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { dlqTopicOf } from './catalog';

export interface AppAccess {
  /** The principal's name: `User:<principal>`; the app's name. */
  readonly principal: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /** Consumer groups whose names start with one of these (read, describe, delete). */
  readonly groupPrefixes: readonly string[];
  /** Transactional ids that start with one of these (exactly-once writers). */
  readonly transactionalIdPrefixes: readonly string[];
}

/** The inputs of the index: what processor-syi and the measure processors read. */
const INDEX_INPUTS = ['pyth.prices', 'cc.prices', 'cc.orderbook', 'dl.apy', 'ex.mktcap', 'trad.tbill'] as const;
const OUTPUTS = ['syi.calculated', 'syi.peg', 'syi.liquidity', 'ray.calculated'] as const;
/** What the sinks store (libs/sink-model SINK_TOPICS): every output, every input but the order books. */
const STORED = [...OUTPUTS, ...INDEX_INPUTS.filter((t) => t !== 'cc.orderbook')];
const withDeadLetters = (topics: readonly string[]): string[] => [...topics, ...topics.map(dlqTopicOf)];

/**
 * A processor: its inputs and its lease topic, its output and its state changelog transactionally
 * (the changelog is read back at start), groups and ids under its name.
 */
function processor(name: string, output: string): AppAccess {
  const changelog = `${name}.changelog`;
  return {
    principal: name,
    reads: [...INDEX_INPUTS, `${name}.lease`, changelog],
    writes: [output, changelog, ...INDEX_INPUTS.map(dlqTopicOf)],
    groupPrefixes: [name],
    transactionalIdPrefixes: [name],
  };
}

export const APP_ACCESS: readonly AppAccess[] = [
  {
    principal: 'ingest-hermes',
    reads: [],
    writes: withDeadLetters(['pyth.updates', 'pyth.prices']),
    groupPrefixes: [],
    transactionalIdPrefixes: [],
  },
  {
    principal: 'ingest-market',
    reads: [],
    writes: withDeadLetters(['cc.prices', 'cc.orderbook', 'dl.apy', 'ex.mktcap', 'trad.tbill']),
    groupPrefixes: [],
    transactionalIdPrefixes: [],
  },
  // processor-syi reads its own output back: the digest chain continues from the last record.
  processor('processor-syi', 'syi.calculated'),
  processor('processor-peg', 'syi.peg'),
  processor('processor-liquidity', 'syi.liquidity'),
  processor('processor-ray', 'ray.calculated'),
  {
    principal: 'keeper',
    // syi.calculated: the SYI duty (SYI_FEED_ADDRESS) publishes it on-chain; the keeper never writes it
    reads: ['pyth.updates', 'syi.calculated'],
    writes: [dlqTopicOf('pyth.updates')],
    groupPrefixes: ['keeper'],
    transactionalIdPrefixes: [],
  },
  {
    principal: 'sink-timescale',
    reads: STORED,
    writes: STORED.map(dlqTopicOf),
    groupPrefixes: ['sink-timescale'],
    transactionalIdPrefixes: [],
  },
  {
    principal: 'sink-clickhouse',
    reads: STORED,
    writes: STORED.map(dlqTopicOf),
    groupPrefixes: ['sink-clickhouse'],
    transactionalIdPrefixes: [],
  },
  // Checks the published index against its inputs and their dead letters: reads only.
  {
    principal: 'auditor',
    reads: ['syi.calculated', ...INDEX_INPUTS, ...INDEX_INPUTS.map(dlqTopicOf)],
    writes: [],
    groupPrefixes: ['auditor'],
    transactionalIdPrefixes: [],
  },
  // Read only: one group per instance (api-<host>-<random>), nothing committed, nothing written.
  { principal: 'api', reads: ['syi.calculated'], writes: [], groupPrefixes: ['api-'], transactionalIdPrefixes: [] },
  // Not an app: the operator's `syi verify`, which reads the index and what it recomputes it from.
  {
    principal: 'syi-verify',
    reads: ['syi.calculated', ...INDEX_INPUTS, ...INDEX_INPUTS.map(dlqTopicOf)],
    writes: [],
    groupPrefixes: ['syi-verify'],
    transactionalIdPrefixes: [],
  },
  {
    principal: 'ws-gateway',
    reads: ['syi.calculated'],
    writes: [],
    groupPrefixes: ['ws-gateway-'],
    transactionalIdPrefixes: [],
  },
];

export function appAccess(principal: string): AppAccess {
  const access = APP_ACCESS.find((a) => a.principal === principal);
  if (!access) throw new Error(`no Kafka access defined for ${principal}`);
  return access;
}

/** One ALLOW rule, in Strimzi's words (KafkaUser `spec.authorization.acls`). */
export interface AclRule {
  resourceType: 'topic' | 'group' | 'transactionalId';
  name: string;
  patternType: 'literal' | 'prefix';
  operation: 'Read' | 'Write' | 'Describe' | 'Delete';
}

/** The ACL rules of one app: reads and writes on literal topics, prefixed groups and transactional ids. */
export function aclRules(access: AppAccess): AclRule[] {
  const topic = (name: string, operation: AclRule['operation']): AclRule => ({
    resourceType: 'topic',
    name,
    patternType: 'literal',
    operation,
  });
  const prefixed = (resourceType: AclRule['resourceType'], name: string, operation: AclRule['operation']): AclRule => ({
    resourceType,
    name,
    patternType: 'prefix',
    operation,
  });
  // Describe once per topic, whether it is read, written or both.
  const described = [...new Set([...access.reads, ...access.writes])];
  return [
    ...access.reads.map((t) => topic(t, 'Read')),
    ...access.writes.map((t) => topic(t, 'Write')),
    ...described.map((t) => topic(t, 'Describe')),
    ...access.groupPrefixes.flatMap((g) =>
      (['Read', 'Describe', 'Delete'] as const).map((op) => prefixed('group', g, op)),
    ),
    ...access.transactionalIdPrefixes.flatMap((id) =>
      (['Write', 'Describe'] as const).map((op) => prefixed('transactionalId', id, op)),
    ),
  ];
}

const RESOURCE_TYPES = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  transactionalId: AclResourceTypes.TRANSACTIONAL_ID,
} as const;
const OPERATIONS = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Describe: AclOperationTypes.DESCRIBE,
  Delete: AclOperationTypes.DELETE,
} as const;

/** A rule as the admin API's createAcls takes it, for `principal` (the broker-side test). */
export function kafkaAcl(rule: AclRule, principal: string) {
  return {
    resourceType: RESOURCE_TYPES[rule.resourceType],
    resourceName: rule.name,
    resourcePatternType: rule.patternType === 'prefix' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    operation: OPERATIONS[rule.operation],
    principal: `User:${principal}`,
    host: '*',
    permissionType: AclPermissionTypes.ALLOW,
  };
}
