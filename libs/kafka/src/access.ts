// What each app may do on the brokers, least privilege: one principal per app (a Strimzi
// KafkaUser in Kubernetes), the topics it reads and writes, and the prefixes of its consumer
// groups and transactional ids. The Kubernetes KafkaUsers are generated from this table
// (libs/deploy-tests) and acl.integration.test.ts proves it on a broker with the standard
// authorizer: each app can do its work, and nothing else (the keeper cannot write syi.calculated).
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
const withDeadLetters = (topics: readonly string[]): string[] => [...topics, ...topics.map(dlqTopicOf)];

/** A processor: its inputs and its lease topic, its output transactionally, groups and ids under its name. */
function processor(name: string, output: string, extraReads: readonly string[] = []): AppAccess {
  return {
    principal: name,
    reads: [...INDEX_INPUTS, ...extraReads, `${name}.lease`],
    writes: [output, ...INDEX_INPUTS.map(dlqTopicOf)],
    groupPrefixes: [name],
    transactionalIdPrefixes: [name],
  };
}

export const APP_ACCESS: readonly AppAccess[] = [
  { principal: 'ingest-hermes', reads: [], writes: withDeadLetters(['pyth.updates', 'pyth.prices']), groupPrefixes: [], transactionalIdPrefixes: [] },
  {
    principal: 'ingest-market', reads: [], writes: withDeadLetters(['cc.prices', 'cc.orderbook', 'dl.apy', 'ex.mktcap', 'trad.tbill']),
    groupPrefixes: [], transactionalIdPrefixes: [],
  },
  // processor-syi reads its own output back: the digest chain continues from the last record.
  processor('processor-syi', 'syi.calculated', ['syi.calculated']),
  processor('processor-peg', 'syi.peg'),
  processor('processor-liquidity', 'syi.liquidity'),
  processor('processor-ray', 'ray.calculated'),
  { principal: 'keeper', reads: ['pyth.updates'], writes: [dlqTopicOf('pyth.updates')], groupPrefixes: ['keeper'], transactionalIdPrefixes: [] },
  {
    principal: 'sink-timescale', reads: [...INDEX_INPUTS, ...OUTPUTS], writes: [...INDEX_INPUTS, ...OUTPUTS].map(dlqTopicOf),
    groupPrefixes: ['sink-timescale'], transactionalIdPrefixes: [],
  },
  {
    principal: 'sink-clickhouse', reads: [...INDEX_INPUTS, ...OUTPUTS], writes: [...INDEX_INPUTS, ...OUTPUTS].map(dlqTopicOf),
    groupPrefixes: ['sink-clickhouse'], transactionalIdPrefixes: [],
  },
  // Read only: one group per instance (api-<host>-<random>), nothing committed, nothing written.
  { principal: 'api', reads: ['syi.calculated'], writes: [], groupPrefixes: ['api-'], transactionalIdPrefixes: [] },
  { principal: 'ws-gateway', reads: ['syi.calculated'], writes: [], groupPrefixes: ['ws-gateway-'], transactionalIdPrefixes: [] },
];

export function appAccess(principal: string): AppAccess {
  const access = APP_ACCESS.find((a) => a.principal === principal);
  if (!access) throw new Error(`no Kafka access defined for ${principal}`);
  return access;
}

export interface AclRule {
  resourceType: AclResourceTypes;
  resourceName: string;
  resourcePatternType: ResourcePatternTypes;
  operation: AclOperationTypes;
}

/** The ACL rules (all ALLOW) of one app: reads and writes on literal topics, prefixed groups and ids. */
export function aclRules(access: AppAccess): AclRule[] {
  const topic = (name: string, operation: AclOperationTypes): AclRule => ({
    resourceType: AclResourceTypes.TOPIC, resourceName: name, resourcePatternType: ResourcePatternTypes.LITERAL, operation,
  });
  const prefixed = (resourceType: AclResourceTypes, name: string, operation: AclOperationTypes): AclRule => ({
    resourceType, resourceName: name, resourcePatternType: ResourcePatternTypes.PREFIXED, operation,
  });
  return [
    ...access.reads.flatMap((t) => [topic(t, AclOperationTypes.READ), topic(t, AclOperationTypes.DESCRIBE)]),
    ...access.writes.flatMap((t) => [topic(t, AclOperationTypes.WRITE), topic(t, AclOperationTypes.DESCRIBE)]),
    ...access.groupPrefixes.flatMap((g) => [AclOperationTypes.READ, AclOperationTypes.DESCRIBE, AclOperationTypes.DELETE].map((op) => prefixed(AclResourceTypes.GROUP, g, op))),
    ...access.transactionalIdPrefixes.flatMap((id) => [AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE].map((op) => prefixed(AclResourceTypes.TRANSACTIONAL_ID, id, op))),
  ];
}

export const ALLOW = AclPermissionTypes.ALLOW;
