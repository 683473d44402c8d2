/**
 * The kustomize base and overlays: strict schema validation (kubeconform) and the rules of
 * the deployment: every app fully described, scaling, network policy, topics, data plane.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  APPS,
  APP_NAMESPACE,
  DATA_NAMESPACE,
  MONITORING_NAMESPACE,
  SECRET_MOUNT_PATH,
  TOPICS,
  allTopics,
  appByName,
} from '../src/catalog';
import type { Manifest } from '../src/manifests';
import { aclRules, appAccess } from '@stableyield/kafka';
import { PROCESSOR_APPS, processorOwnTopics, processorStateTopics } from '@stableyield/stream';
import { repoPath } from '../src/paths';
import { byKind, find, podTemplates } from '../src/yaml-docs';
import { SKIPPED_KINDS, kubeconform, kustomizeBuild, kustomizeManifests, manifestsOf } from './render';
import { TOOL_TIMEOUT } from './tools';

const OVERLAYS = ['overlays/dev', 'overlays/prod'] as const;
const baseApps = APPS.filter((a) => a.devOnly !== true);

type Json = Record<string, unknown>;
const spec = (m: Manifest): Json => m.spec as Json;

describe.each(OVERLAYS)('kustomize build k8s/%s', (dir) => {
  it(
    'is valid against the Kubernetes 1.32 and CRD schemas (strict), Strimzi and CloudNativePG kinds included',
    () => {
      const yamlText = kustomizeBuild(dir);
      const result = kubeconform(yamlText);
      if (result.status !== 0) throw new Error(result.output);
      const manifests = manifestsOf(yamlText);
      const skippable = manifests.filter((m) => m.kind in SKIPPED_KINDS).length;
      expect(result.summary).toEqual({
        valid: manifests.length - skippable,
        invalid: 0,
        errors: 0,
        skipped: skippable,
      });
      expect(manifests.filter((m) => m.apiVersion === 'kafka.strimzi.io/v1beta2').length).toBeGreaterThan(
        TOPICS.length,
      );
    },
    TOOL_TIMEOUT,
  );
});

describe('kubeconform', () => {
  it(
    'rejects an unknown field and a wrong type (the validation is not vacuous)',
    () => {
      const bad = [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: x}',
        'spec: {replicas: "two", selector: {matchLabels: {a: b}}, template: {metadata: {labels: ' +
          '{a: b}}, spec: {containers: [{name: c, image: i, imagePullPolicy: Sometimes, bogus: 1}]}}}',
      ].join('\n');
      const r = kubeconform(bad);
      expect(r.status).not.toBe(0);
      expect(r.summary.invalid).toBe(1);
    },
    TOOL_TIMEOUT,
  );

  /** A one-object YAML text; kubeconform must find it valid, or invalid. */
  const object = (apiVersion: string, kind: string, metadata: string, spec: string): string =>
    [`apiVersion: ${apiVersion}`, `kind: ${kind}`, `metadata: ${metadata}`, `spec: ${spec}`].join('\n');
  const expectValid = (yaml: string): void =>
    expect(kubeconform(yaml).summary).toMatchObject({ valid: 1, invalid: 0, skipped: 0 });
  const expectInvalid = (yaml: string): void =>
    expect(kubeconform(yaml).summary).toMatchObject({ valid: 0, invalid: 1 });

  it(
    'checks a CloudNativePG Cluster against its CRD schema',
    () => {
      const cluster = (extra: string): string =>
        object('postgresql.cnpg.io/v1', 'Cluster', '{name: x}', `{instances: 1, storage: {size: 1Gi}${extra}}`);
      expectValid(cluster(''));
      expectInvalid(cluster(', instancez: 3'));
    },
    TOOL_TIMEOUT,
  );

  it(
    "checks Strimzi's Kafka, KafkaNodePool and KafkaTopic against their CRD schemas",
    () => {
      const strimzi = (kind: string, metadata: string, spec: string): string =>
        object('kafka.strimzi.io/v1beta2', kind, metadata, spec);
      const inCluster = (name: string): string => `{name: ${name}, labels: {strimzi.io/cluster: c}}`;
      const topic = (spec: string): string => strimzi('KafkaTopic', inCluster('t'), `{${spec}}`);
      expectValid(topic('partitions: 3, replicas: 3'));
      expectInvalid(topic('partitions: 3, replicaz: 3'));
      expectInvalid(topic('partitions: three, replicas: 3'));
      const pool = (roles: string): string =>
        strimzi('KafkaNodePool', inCluster('p'), `{replicas: 3, roles: [${roles}], storage: {type: ephemeral}}`);
      expectValid(pool('controller, broker'));
      expectInvalid(pool('leader'));
      const listeners = '[{name: plain, port: 9092, type: internal, tls: false}]';
      const kafka = (extra: string): string =>
        strimzi('Kafka', '{name: k}', `{kafka: {listeners: ${listeners}${extra}}}`);
      expectValid(kafka(''));
      expectInvalid(kafka(', replicaz: 3'));
    },
    TOOL_TIMEOUT,
  );
});

const byJson = (a: unknown, b: unknown): number => JSON.stringify(a).localeCompare(JSON.stringify(b));

describe('the production overlay', () => {
  const all = kustomizeManifests('overlays/prod');
  const apps = (): Manifest[] => all.filter((m) => m.metadata.namespace === APP_NAMESPACE);

  it.each(baseApps.map((a) => a.name))('has every object of %s in the apps namespace', (name) => {
    for (const kind of ['ServiceAccount', 'Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy']) {
      expect(find(apps(), kind, name).metadata.namespace).toBe(APP_NAMESPACE);
    }
    find(apps(), 'ConfigMap', `${name}-config`);
    find(apps(), 'Service', `${name}-metrics`);
  });

  it('does not deploy the market-sim test double', () => {
    expect(all.filter((m) => m.metadata.name.startsWith('market-sim'))).toEqual([]);
  });

  it('runs a pinned image of every app, with its bundle as the command', () => {
    for (const app of baseApps) {
      const container = podTemplates([find(apps(), 'Deployment', app.name)])[0]!.podSpec.containers[0]! as unknown as {
        image: string;
        args: string[];
      };
      expect(container.image).toBe('ghcr.io/stableyield/stableyield:0.1.0');
      expect(container.args).toEqual([`apps/${app.name}/dist/main.js`]);
    }
  });

  it('probes /live and /ready on the health port (for the keeper, its metrics port), with resources set', () => {
    for (const app of baseApps) {
      const deployment = find(apps(), 'Deployment', app.name);
      const c = podTemplates([deployment])[0]!.podSpec.containers[0]!;
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/live', port: 'health' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'health' });
      expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(c.resources?.limits?.memory).toBeDefined();
      const ports = (c as unknown as { ports: { name: string; containerPort: number }[] }).ports;
      expect(ports.find((p) => p.name === 'health')?.containerPort).toBe(app.healthPort);
    }
  });

  it('reads configuration from ConfigMaps and secrets only through Secret references', () => {
    for (const app of baseApps) {
      const c = podTemplates([find(apps(), 'Deployment', app.name)])[0]!.podSpec.containers[0]! as unknown as {
        envFrom: { configMapRef?: { name: string } }[];
        env?: {
          name: string;
          value?: string;
          valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown };
        }[];
      };
      expect(c.envFrom.map((e) => e.configMapRef?.name)).toEqual(['stableyield-config', `${app.name}-config`]);
      for (const e of c.env ?? []) {
        // The deployment's identity is the pod's namespace (downward API), the one other reference.
        if (e.name === 'DEPLOYMENT_ID') expect(e.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
        // A literal value only names a file mounted from a Secret.
        else if (e.name.endsWith('_FILE')) expect(e.value?.startsWith(`${SECRET_MOUNT_PATH}/`)).toBe(true);
        else
          expect({ name: e.name, value: e.value, ref: e.valueFrom?.secretKeyRef?.name !== undefined }).toEqual({
            name: e.name,
            value: undefined,
            ref: true,
          });
      }
    }
    expect(
      podTemplates([find(apps(), 'Deployment', 'keeper')])[0]!.podSpec.containers[0]!.env?.map((e) => e.name),
    ).toContain('PRIVATE_KEY_FILE');
  });

  it('references only Secrets whose creation docs/operations.md shows, key by key', () => {
    const docs = readFileSync(repoPath('docs/operations.md'), 'utf8');
    const refs = new Set<string>();
    for (const { podSpec } of podTemplates(all)) {
      for (const c of podSpec.containers) {
        for (const e of c.env ?? []) {
          const ref = (e.valueFrom as { secretKeyRef?: { name: string; key: string } } | undefined)?.secretKeyRef;
          if (ref) refs.add(`${ref.name}/${ref.key}`);
        }
      }
      for (const v of podSpec.volumes ?? []) {
        const sources =
          (v.projected as { sources?: { secret?: { name: string; items: { key: string }[] } }[] } | undefined)
            ?.sources ?? [];
        for (const source of sources)
          for (const item of source.secret?.items ?? []) refs.add(`${source.secret!.name}/${item.key}`);
        const secret = v.secret as { secretName: string; items?: { key: string }[] } | undefined;
        for (const item of secret?.items ?? []) refs.add(`${secret!.secretName}/${item.key}`);
      }
    }
    expect(refs.size).toBeGreaterThanOrEqual(8);
    // A KafkaUser's Secret (same name) is written by Strimzi's User Operator, not by an operator of the cluster.
    const kafkaUsers = new Set(byKind(all, 'KafkaUser').map((u) => u.metadata.name));
    expect(docs).toContain('KafkaUser');
    for (const ref of [...refs].filter((r) => !kafkaUsers.has(r.split('/')[0]!))) {
      const [name, key] = ref.split('/') as [string, string];
      const create = docs.split('\n').findIndex((l) => l.includes(`create secret generic ${name}`));
      expect({ ref, documented: create >= 0 }).toEqual({ ref, documented: true });
      const command = docs
        .split('\n')
        .slice(create, create + 3)
        .join(' ');
      expect({ ref, key: command.includes(`${key}=`) }).toEqual({ ref, key: true });
    }
  });

  it('has the api trust exactly one proxy hop (the ingress) for the client IP', () => {
    const config = find(apps(), 'ConfigMap', 'api-config') as unknown as { data: Record<string, string> };
    expect(config.data.TRUST_PROXY).toBe('1');
  });

  it('leaves the replica count of every autoscaled Deployment to its HPA (no spec.replicas to reset on apply)', () => {
    const scaled = byKind(apps(), 'HorizontalPodAutoscaler').map(
      (h) => (spec(h).scaleTargetRef as { name: string }).name,
    );
    expect(scaled.length).toBeGreaterThan(5);
    for (const d of byKind(apps(), 'Deployment')) {
      const replicas = spec(d).replicas;
      expect({ deployment: d.metadata.name, hasReplicas: replicas !== undefined }).toEqual({
        deployment: d.metadata.name,
        hasReplicas: !scaled.includes(d.metadata.name),
      });
    }
  });

  it('gives the keeper longer to stop than its SHUTDOWN_TIMEOUT_MS, and its state file a persistent volume', () => {
    const deployment = find(apps(), 'Deployment', 'keeper');
    const pod = podTemplates([deployment])[0]!.podSpec as unknown as {
      terminationGracePeriodSeconds: number;
      volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      containers: { volumeMounts: { name: string; mountPath: string }[] }[];
    };
    const env = (find(apps(), 'ConfigMap', 'keeper-config') as unknown as { data: Record<string, string> }).data;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(env.SHUTDOWN_TIMEOUT_MS) / 1000);
    const stateFile = env.KEEPER_STATE_FILE!;
    const mount = pod.containers[0]!.volumeMounts.find((m) => stateFile.startsWith(`${m.mountPath}/`));
    expect(mount).toBeDefined();
    const volume = pod.volumes.find((v) => v.name === mount!.name);
    expect(volume?.persistentVolumeClaim?.claimName).toBe('keeper-state');
    expect(spec(find(apps(), 'PersistentVolumeClaim', 'keeper-state'))).toMatchObject({
      accessModes: ['ReadWriteMany'],
    });
  });

  it('probes the keeper where docs/operations.md and docs/keeper.md say: /live and /ready', () => {
    const c = podTemplates([find(apps(), 'Deployment', 'keeper')])[0]!.podSpec.containers[0]!;
    expect([c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path]).toEqual(['/live', '/ready']);
    const operations = readFileSync(repoPath('docs/operations.md'), 'utf8');
    expect(operations).toMatch(/keeper's liveness probe is `\/live`/);
    expect(operations).toMatch(/readiness probe `\/ready`/);
  });

  it("sets no variable the ClickHouse image's entrypoint acts on (it would write into the read-only root)", () => {
    const clickhouse = podTemplates([find(all, 'StatefulSet', 'clickhouse')])[0]!.podSpec.containers[0]!;
    const names = (clickhouse.env ?? []).map((e) => e.name);
    for (const reserved of [
      'CLICKHOUSE_PASSWORD',
      'CLICKHOUSE_USER',
      'CLICKHOUSE_DB',
      'CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT',
    ])
      expect(names).not.toContain(reserved);
    const users = (find(all, 'ConfigMap', 'clickhouse-config') as unknown as { data: Record<string, string> }).data[
      'stableyield-user.xml'
    ]!;
    const fromEnv = /from_env="([A-Z_]+)"/.exec(users)?.[1];
    expect(names).toContain(fromEnv);
  });

  it('wires no Secret nothing reads: API keys are in the database, ws-gateway reaches it for WS_AUTH_REQUIRED', () => {
    const names = (app: string) =>
      (podTemplates([find(apps(), 'Deployment', app)])[0]!.podSpec.containers[0]!.env ?? []).map((e) => e.name);
    expect(names('api')).not.toContain('API_KEYS');
    expect(names('ws-gateway')).toContain('DATABASE_URL');
    const egress = JSON.stringify((spec(find(apps(), 'NetworkPolicy', 'ws-gateway')) as { egress: unknown[] }).egress);
    expect(egress).toContain('"cnpg.io/cluster":"timescaledb"');
  });

  it("lets the api, and no other app, ask the auditor's /status", () => {
    const api = spec(find(apps(), 'NetworkPolicy', 'api')) as { egress: { to: Json[]; ports: { port: number }[] }[] };
    expect(api.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'auditor' } } }],
      ports: [{ protocol: 'TCP', port: 9213 }],
    });
    const auditor = spec(find(apps(), 'NetworkPolicy', 'auditor')) as {
      ingress: { from: Json[] }[];
      egress: { ports: { port: number }[] }[];
    };
    expect(auditor.ingress.map((i) => JSON.stringify(i.from))).toEqual([
      JSON.stringify([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        },
      ]),
      JSON.stringify([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } }]),
    ]);
    // it reads Kafka and the registry, nothing else
    expect(auditor.egress.flatMap((e) => e.ports.map((p) => p.port)).sort()).toEqual([8080, 9092]);
    const config = find(apps(), 'ConfigMap', 'api-config') as unknown as { data: Record<string, string> };
    expect(config.data.AUDITOR_URL).toBe('http://auditor-metrics.stableyield.svc:9213');
  });

  it('gives every Kafka app its own SCRAM KafkaUser with the ACLs of APP_ACCESS, and its credentials as a file', () => {
    const users = byKind(apps(), 'KafkaUser');
    for (const app of baseApps.filter((a) => a.stores.includes('kafka'))) {
      const user = find(users, 'KafkaUser', app.name);
      const userSpec = spec(user) as {
        authentication: { type: string };
        authorization: {
          acls: { resource: { type: string; name: string; patternType: string }; operations: string[] }[];
        };
      };
      expect(userSpec.authentication.type).toBe('scram-sha-512');
      const rules = userSpec.authorization.acls.flatMap((a) =>
        a.operations.map((operation) => ({
          resourceType: a.resource.type,
          name: a.resource.name,
          patternType: a.resource.patternType,
          operation,
        })),
      );
      expect(rules.sort(byJson)).toEqual(aclRules(appAccess(app.name)).sort(byJson));
      const config = (find(apps(), 'ConfigMap', `${app.name}-config`) as unknown as { data: Record<string, string> })
        .data;
      expect(config).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: app.name });
      const env = podTemplates([find(apps(), 'Deployment', app.name)])[0]!.podSpec.containers[0]!.env ?? [];
      expect(env).toContainEqual({
        name: 'KAFKA_SASL_PASSWORD_FILE',
        value: `${SECRET_MOUNT_PATH}/${app.name}/password`,
      });
    }
    const keeperWrites = aclRules(appAccess('keeper'))
      .filter((r) => r.operation === 'Write')
      .map((r) => r.name);
    expect(keeperWrites).not.toContain('syi.calculated');
    // an operator's `syi verify` has a principal of its own: it reads, and writes nothing
    const verifyUser = spec(find(users, 'KafkaUser', 'syi-verify')) as {
      authorization: { acls: { operations: string[] }[] };
    };
    const operations = verifyUser.authorization.acls.flatMap((a) => a.operations);
    expect(operations.length).toBe(aclRules(appAccess('syi-verify')).length);
    expect(operations).not.toContain('Write');
  });

  it(
    "requires SCRAM on the apps' Kafka listener and enforces ACLs; the registry listener " +
      'answers the registry only',
    () => {
      const kafka = spec(find(all, 'Kafka', 'stableyield')) as {
        kafka: {
          listeners: { name: string; port: number; authentication?: { type: string } }[];
          authorization: { type: string };
        };
        entityOperator: { userOperator: { watchedNamespace: string } };
      };
      expect(kafka.kafka.listeners.find((l) => l.port === 9092)?.authentication?.type).toBe('scram-sha-512');
      expect(kafka.kafka.authorization.type).toBe('simple');
      expect(kafka.entityOperator.userOperator.watchedNamespace).toBe(APP_NAMESPACE);
      const fence = spec(find(all, 'NetworkPolicy', 'kafka-clients')) as {
        ingress: { from: unknown[]; ports: { port: number }[] }[];
      };
      const registryRule = fence.ingress.find((r) => r.ports.some((p) => p.port === 9094));
      expect(registryRule?.from).toEqual([
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'schema-registry' } } },
      ]);
    },
  );

  it(
    'denies all traffic by default in the data and monitoring namespaces too, Prometheus ' +
      'reachable only from Grafana and the adapter',
    () => {
      for (const namespace of [DATA_NAMESPACE, MONITORING_NAMESPACE]) {
        const deny = all.find(
          (m) =>
            m.kind === 'NetworkPolicy' && m.metadata.name === 'default-deny-all' && m.metadata.namespace === namespace,
        );
        expect({ namespace, spec: deny && spec(deny) }).toEqual({
          namespace,
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        });
      }
      const prometheus = all.find(
        (m) =>
          m.kind === 'NetworkPolicy' &&
          m.metadata.name === 'prometheus' &&
          m.metadata.namespace === MONITORING_NAMESPACE,
      )!;
      const from = (
        spec(prometheus) as { ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[] }[] }
      ).ingress.flatMap((r) => r.from.map((f) => f.podSelector.matchLabels['app.kubernetes.io/name']));
      expect(from.sort()).toEqual(['grafana', 'prometheus-adapter']);
    },
  );

  it('runs the keeper with exactly 2 replicas (one active) and no autoscaler', () => {
    expect(spec(find(apps(), 'Deployment', 'keeper')).replicas).toBe(2);
    expect(byKind(apps(), 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).not.toContain('keeper');
  });

  it('scales the api on CPU 70 % between 3 and 10 replicas', () => {
    const hpa = spec(find(apps(), 'HorizontalPodAutoscaler', 'api'));
    expect(hpa).toMatchObject({ minReplicas: 3, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'api' } });
    expect(hpa.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
    ]);
  });

  it('scales ws-gateway on 1000 connections per pod (custom metric, averaged over the pods)', () => {
    const hpa = spec(find(apps(), 'HorizontalPodAutoscaler', 'ws-gateway'));
    expect(hpa.metrics).toEqual([
      {
        type: 'External',
        external: {
          metric: { name: 'websocket_active_connections', selector: { matchLabels: { job: 'ws-gateway' } } },
          target: { type: 'AverageValue', averageValue: '1000' },
        },
      },
    ]);
    expect(hpa).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
  });

  it.each(['sink-timescale', 'sink-clickhouse'])('scales %s on the consumer lag of its group', (name) => {
    const hpa = spec(find(apps(), 'HorizontalPodAutoscaler', name));
    expect(hpa.metrics).toEqual([
      {
        type: 'External',
        external: {
          metric: { name: 'kafka_consumer_lag', selector: { matchLabels: { group: name } } },
          target: { type: 'AverageValue', averageValue: expect.stringMatching(/^\d+$/) as unknown },
        },
      },
    ]);
  });

  it('has every external metric of an autoscaler served by the prometheus-adapter configuration', () => {
    const adapter = parse(readFileSync(repoPath('monitoring/prometheus-adapter-values.yaml'), 'utf8')) as {
      rules: { external: { seriesQuery: string; metricsQuery: string }[] };
    };
    const served = adapter.rules.external.map((r) => r.seriesQuery);
    const needed = byKind(apps(), 'HorizontalPodAutoscaler').flatMap((h) =>
      (
        spec(h).metrics as {
          external?: { metric: { name: string; selector: { matchLabels: Record<string, string> } } };
        }[]
      ).flatMap((m) => (m.external ? [m.external.metric] : [])),
    );
    expect(needed.length).toBeGreaterThanOrEqual(3); // ws-gateway connections and the two sinks' lag
    for (const metric of needed) {
      const rule = adapter.rules.external.find((r) => r.seriesQuery === metric.name);
      expect({ metric: metric.name, served: served.includes(metric.name) }).toEqual({
        metric: metric.name,
        served: true,
      });
      // The selector's label must survive the adapter's aggregation.
      for (const label of Object.keys(metric.selector.matchLabels))
        expect(rule!.metricsQuery).toContain(`sum by (${label})`);
    }
  });

  it('gives every fixed-size app a reason in the catalog and no autoscaler', () => {
    const scaled = new Set(byKind(apps(), 'HorizontalPodAutoscaler').map((h) => h.metadata.name));
    for (const app of baseApps) {
      if (app.scaling.kind === 'fixed') {
        expect(scaled.has(app.name)).toBe(false);
        expect(app.scaling.why.length).toBeGreaterThan(10);
      } else {
        expect(scaled.has(app.name)).toBe(true);
      }
    }
  });

  it('denies all traffic by default and lets each app reach only its own stores', () => {
    const deny = spec(find(apps(), 'NetworkPolicy', 'default-deny-all'));
    expect(deny).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const app of baseApps) {
      const np = spec(find(apps(), 'NetworkPolicy', app.name)) as {
        egress: { to: Json[]; ports: { port: number }[] }[];
        ingress: { ports: { port: number }[] }[];
      };
      const egressPorts = np.egress.flatMap((e) => e.ports.map((p) => p.port)).sort();
      const expected = app.stores.map((s) => ({ kafka: 9092, registry: 8080, timescale: 5432, clickhouse: 8123 })[s]);
      if (app.internet) expected.push(443);
      for (const callee of app.callsHealthOf ?? []) expected.push(appByName(callee).healthPort);
      expect(egressPorts).toEqual(expected.sort());
      const ingressPorts = np.ingress.flatMap((i) => i.ports.map((p) => p.port)).sort();
      const callers = baseApps.filter((a) => a.callsHealthOf?.includes(app.name)).map(() => app.healthPort);
      expect(ingressPorts).toEqual(
        [app.healthPort, ...callers, ...(app.mainPort !== undefined ? [app.mainPort] : [])].sort(),
      );
    }
    expect(appByName('api').stores).not.toContain('clickhouse');
    expect(appByName('processor-syi').internet).toBe(false);
  });

  it('gives apps a ServiceAccount without an API token and grants them no RBAC', () => {
    for (const app of baseApps) {
      expect(find(apps(), 'ServiceAccount', app.name).automountServiceAccountToken).toBe(false);
      const pod = podTemplates([find(apps(), 'Deployment', app.name)])[0]!.podSpec;
      expect(pod.serviceAccountName).toBe(app.name);
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    expect(all.filter((m) => /^(Cluster)?Role(Binding)?$/.test(m.kind))).toEqual([]);
  });

  it('runs Kafka as 3 combined KRaft nodes with replication 3 and min.insync.replicas 2', () => {
    const kafka = find(all, 'Kafka', 'stableyield');
    expect(kafka.metadata.namespace).toBe(DATA_NAMESPACE);
    expect(kafka.metadata.annotations).toMatchObject({
      'strimzi.io/kraft': 'enabled',
      'strimzi.io/node-pools': 'enabled',
    });
    expect((spec(kafka).kafka as Json).config).toMatchObject({
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'auto.create.topics.enable': false,
    });
    expect(spec(find(all, 'KafkaNodePool', 'combined'))).toMatchObject({
      replicas: 3,
      roles: ['controller', 'broker'],
    });
  });

  it('declares one KafkaTopic per catalog topic and dead-letter topic with the catalog settings', () => {
    const topics = byKind(all, 'KafkaTopic').filter((t) => t.metadata.name !== 'kafkasql-journal');
    const state = processorStateTopics();
    expect(topics.map((t) => spec(t).topicName as string).sort()).toEqual(
      [...allTopics(), ...state].map((t) => t.name).sort(),
    );
    expect(topics).toHaveLength(TOPICS.length * 2 + state.length);
    for (const t of allTopics()) {
      const s = spec(find(all, 'KafkaTopic', t.name));
      expect(s).toMatchObject({ partitions: t.partitions, replicas: 3 });
      expect(s.config).toEqual({
        'cleanup.policy': t.cleanupPolicy,
        'retention.ms': t.retentionDays * 86_400_000,
        'min.insync.replicas': 2,
      });
    }
    expect(spec(find(all, 'KafkaTopic', 'syi.calculated'))).toMatchObject({
      partitions: 1,
      config: { 'retention.ms': 365 * 86_400_000 },
    });
    expect(spec(find(all, 'KafkaTopic', 'cc.prices')).config).toMatchObject({
      'cleanup.policy': 'delete',
      'retention.ms': 8 * 86_400_000,
    });
  });

  it("declares every processor's changelog and lease as the processor provisions them, within its ACLs", () => {
    for (const app of PROCESSOR_APPS) {
      const { changelog, lease } = processorOwnTopics(app, '');
      for (const t of [changelog, lease]) {
        expect(spec(find(all, 'KafkaTopic', t.name))).toEqual({
          topicName: t.name,
          partitions: t.partitions,
          replicas: 3,
          config: {
            'cleanup.policy': t.cleanupPolicy,
            'retention.ms': t.retentionMs,
            ...t.extraConfig,
            'min.insync.replicas': 2,
          },
        });
      }
      // the checkpoints are written in the processor's transactions and read back at start
      expect(appAccess(app).writes).toContain(changelog.name);
      expect(appAccess(app).reads).toEqual(expect.arrayContaining([changelog.name, lease.name]));
    }
  });

  it('runs TimescaleDB as a CloudNativePG cluster with the extension, ClickHouse and the registry', () => {
    const pg = spec(find(all, 'Cluster', 'timescaledb'));
    expect(pg.instances).toBe(3);
    expect((pg.postgresql as Json).shared_preload_libraries).toContain('timescaledb');
    expect(JSON.stringify(pg.bootstrap)).toContain('CREATE EXTENSION IF NOT EXISTS timescaledb');
    expect(find(all, 'StatefulSet', 'clickhouse').metadata.namespace).toBe(DATA_NAMESPACE);
    expect(find(all, 'Deployment', 'schema-registry').metadata.namespace).toBe(DATA_NAMESPACE);
  });

  it('runs Prometheus and Grafana in the monitoring namespace with the tested rules and dashboards', () => {
    for (const name of ['prometheus', 'grafana'])
      expect(find(all, 'Deployment', name).metadata.namespace).toBe(MONITORING_NAMESPACE);
    const rules = all.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('prometheus-rules-'));
    expect(Object.keys((rules?.data ?? {}) as Json)).toEqual(['stableyield.rules.yml']);
    const dashboards = all.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('grafana-dashboards-'));
    expect(Object.keys((dashboards?.data ?? {}) as Json).sort()).toEqual([
      'keeper.json',
      'pipeline.json',
      'serving.json',
      'syi.json',
    ]);
  });
});

describe('the dev overlay', () => {
  const all = kustomizeManifests('overlays/dev');

  it('adds market-sim, points the ingesters at it and lets them reach it', () => {
    find(all, 'Deployment', 'market-sim');
    expect(find(all, 'ConfigMap', 'ingest-market-config').data).toMatchObject({
      FRED_URL: 'http://market-sim.stableyield.svc:7100/fred',
    });
    expect(find(all, 'NetworkPolicy', 'ingesters-to-market-sim').metadata.namespace).toBe(APP_NAMESPACE);
  });

  it('uses one broker and replication factor 1 everywhere', () => {
    expect(spec(find(all, 'KafkaNodePool', 'combined')).replicas).toBe(1);
    for (const t of byKind(all, 'KafkaTopic'))
      expect(spec(t)).toMatchObject({ replicas: 1, config: { 'min.insync.replicas': 1 } });
    expect(find(all, 'ConfigMap', 'stableyield-config').data).toMatchObject({ KAFKA_REPLICATION_FACTOR: '1' });
  });
});
