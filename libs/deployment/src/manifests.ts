/**
 * Builds the Kubernetes objects of each app from the catalog. The output is committed as
 * k8s/base/apps/*.yaml (see generate.ts); the Helm chart renders the same objects, which
 * helm.test.ts checks.
 */
import {
  APP_NAMESPACE,
  APPS,
  DATA_NAMESPACE,
  IMAGE,
  MONITORING_NAMESPACE,
  RUN_AS_USER,
  SECRET_MOUNT_PATH,
  SHARED_ENV,
  STORE_ENDPOINTS,
  allTopics,
  entrypoint,
  terminationGracePeriodSeconds,
  type AppSpec,
  type SecretEnv,
  type TopicSpec,
} from './catalog';
import { APP_ACCESS, aclRules, type AppAccess } from '@stableyield/kafka';
import { processorStateTopics } from '@stableyield/stream';

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string } & Record<string, unknown>;
};

export const IMAGE_TAG = '0.1.0';

export function appLabels(app: AppSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': app.name, 'app.kubernetes.io/part-of': 'stableyield' };
}

const selector = (app: AppSpec): Record<string, string> => ({ 'app.kubernetes.io/name': app.name });

function meta(name: string, app: AppSpec): Manifest['metadata'] {
  return { name, labels: appLabels(app) };
}

export function initialReplicas(app: AppSpec): number {
  return app.scaling.kind === 'fixed' ? app.scaling.replicas : app.scaling.min;
}

/** Apps that talk to Kafka authenticate as themselves: their KafkaUser of the same name. */
const hasKafkaUser = (app: AppSpec): boolean =>
  app.stores.includes('kafka') && APP_ACCESS.some((a) => a.principal === app.name);

export function appEnv(app: AppSpec): Record<string, string> {
  const kafka = hasKafkaUser(app) ? { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: app.name } : {};
  return { [app.healthPortVar]: String(app.healthPort), ...app.env, ...kafka };
}

/** The catalog's secrets plus the Kafka password the User Operator writes into the Secret `<app>`. */
export function appSecretEnv(app: AppSpec): SecretEnv[] {
  const kafka: SecretEnv[] = hasKafkaUser(app)
    ? [{ name: 'KAFKA_SASL_PASSWORD', secret: app.name, key: 'password', asFile: true }]
    : [];
  return [...app.secretEnv, ...kafka];
}

const nonRoot = (uid: number): Record<string, unknown> => ({ runAsNonRoot: true, runAsUser: uid });

export function podSecurityContext(uid = RUN_AS_USER): Record<string, unknown> {
  return { ...nonRoot(uid), runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

export function containerSecurityContext(uid = RUN_AS_USER): Record<string, unknown> {
  return {
    ...nonRoot(uid),
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

export function secretFilePath(s: SecretEnv): string {
  return `${SECRET_MOUNT_PATH}/${s.secret}/${s.key}`;
}

/** One projected volume with every file-mounted Secret key, readable by the app's user only. */
function secretFilesVolume(secrets: readonly SecretEnv[]): Record<string, unknown> {
  return {
    name: 'secrets',
    projected: {
      defaultMode: 0o440,
      sources: secrets.map((s) => ({
        secret: {
          name: s.secret,
          items: [{ key: s.key, path: `${s.secret}/${s.key}` }],
          ...(s.optional ? { optional: true } : {}),
        },
      })),
    },
  };
}

/**
 * The deployment's identity is its namespace: processors derive their Kafka transactional ids from
 * it (`<TOPIC_PREFIX><app>.<DEPLOYMENT_ID>`), so a second install on the same broker, in another
 * namespace, never fences this one.
 */
export const DEPLOYMENT_ID_ENV = {
  name: 'DEPLOYMENT_ID',
  valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
} as const;

function deployment(app: AppSpec): Manifest {
  const ports: Record<string, unknown>[] = [{ name: 'health', containerPort: app.healthPort }];
  if (app.mainPort !== undefined) ports.push({ name: 'http', containerPort: app.mainPort });
  const container: Record<string, unknown> = {
    name: 'app',
    image: `${IMAGE}:${IMAGE_TAG}`,
    imagePullPolicy: 'IfNotPresent',
    args: [entrypoint(app)],
    ports,
    envFrom: [{ configMapRef: { name: 'stableyield-config' } }, { configMapRef: { name: `${app.name}-config` } }],
  };
  const secretEnv = appSecretEnv(app);
  container.env = [
    DEPLOYMENT_ID_ENV,
    ...secretEnv.map((s) =>
      s.asFile
        ? { name: `${s.name}_FILE`, value: secretFilePath(s) }
        : {
            name: s.name,
            valueFrom: { secretKeyRef: { name: s.secret, key: s.key, ...(s.optional ? { optional: true } : {}) } },
          },
    ),
  ];
  const fileSecrets = secretEnv.filter((s) => s.asFile);
  Object.assign(container, {
    livenessProbe: {
      httpGet: { path: app.livePath, port: 'health' },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: app.readyPath, port: 'health' },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    resources: {
      requests: { cpu: app.cpu.request, memory: app.memory.request },
      limits: { cpu: app.cpu.limit, memory: app.memory.limit },
    },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      ...(fileSecrets.length > 0 ? [{ name: 'secrets', mountPath: SECRET_MOUNT_PATH, readOnly: true }] : []),
      ...(app.stateVolume ? [{ name: 'state', mountPath: app.stateVolume.mountPath }] : []),
    ],
  });
  const volumes: Record<string, unknown>[] = [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }];
  if (fileSecrets.length > 0) volumes.push(secretFilesVolume(fileSecrets));
  if (app.stateVolume) volumes.push({ name: 'state', persistentVolumeClaim: { claimName: stateClaimName(app) } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(app.name, app),
    spec: {
      // With an autoscaler the HPA owns the replica count: a value here would reset it on every apply.
      ...(app.scaling.kind === 'fixed' ? { replicas: app.scaling.replicas } : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector(app) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: appLabels(app),
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(app.healthPort),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          serviceAccountName: app.name,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(),
          terminationGracePeriodSeconds: terminationGracePeriodSeconds(app),
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector(app) },
            },
          ],
          containers: [container],
          volumes,
        },
      },
    },
  };
}

function service(app: AppSpec): Manifest {
  const ports: Record<string, unknown>[] = [{ name: 'health', port: app.healthPort, targetPort: 'health' }];
  if (app.mainPort !== undefined) ports.push({ name: 'http', port: app.mainPort, targetPort: 'http' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(app.name, app),
    spec: { type: 'ClusterIP', selector: selector(app), ports },
  };
}

/** Headless: one DNS record per pod, so Prometheus scrapes every replica (dns_sd_configs). */
function metricsService(app: AppSpec): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(`${app.name}-metrics`, app),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selector(app),
      ports: [{ name: 'health', port: app.healthPort, targetPort: 'health' }],
    },
  };
}

function appNamed(name: string): AppSpec {
  const app = APPS.find((a) => a.name === name);
  if (app === undefined) throw new Error(`catalog: no app named ${name}`);
  return app;
}

function networkPolicy(app: AppSpec): Manifest {
  const ingress: Record<string, unknown>[] = [
    {
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: app.healthPort }],
    },
  ];
  if (app.mainPort !== undefined) {
    // Clients reach the serving port through the ingress controller, in any namespace.
    ingress.push({ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: app.mainPort }] });
  }
  const egress: Record<string, unknown>[] = app.stores.map((store) => ({
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': DATA_NAMESPACE } },
        podSelector: { matchLabels: STORE_ENDPOINTS[store].podLabels },
      },
    ],
    ports: [{ protocol: 'TCP', port: STORE_ENDPOINTS[store].port }],
  }));
  for (const name of app.callsHealthOf ?? []) {
    const target = appNamed(name);
    egress.push({
      to: [{ podSelector: { matchLabels: selector(target) } }],
      ports: [{ protocol: 'TCP', port: target.healthPort }],
    });
  }
  for (const caller of APPS.filter((a) => a.callsHealthOf?.includes(app.name))) {
    ingress.push({
      from: [{ podSelector: { matchLabels: selector(caller) } }],
      ports: [{ protocol: 'TCP', port: app.healthPort }],
    });
  }
  if (app.internet) {
    egress.push({
      to: [
        { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } },
      ],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(app.name, app),
    spec: { podSelector: { matchLabels: selector(app) }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}

/** An External HPA metric: the series `name` with these labels, a target of `perPod` per pod on average. */
function externalMetric(name: string, matchLabels: Record<string, string>, perPod: number): Record<string, unknown> {
  return {
    type: 'External',
    external: {
      metric: { name, selector: { matchLabels } },
      target: { type: 'AverageValue', averageValue: String(perPod) },
    },
  };
}

function horizontalPodAutoscaler(app: AppSpec): Manifest | undefined {
  const s = app.scaling;
  let metric: Record<string, unknown>;
  switch (s.kind) {
    case 'fixed':
      return undefined;
    case 'cpu':
      metric = {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.cpuPercent } },
      };
      break;
    case 'connections':
      // External rather than Pods: Prometheus finds pods through DNS, so its series carry no
      // pod label to map a Pods metric; an AverageValue target divides the total by the
      // replica count, which is the same "connections per pod".
      metric = externalMetric('websocket_active_connections', { job: app.name }, s.perPod);
      break;
    case 'consumerLag':
      metric = externalMetric('kafka_consumer_lag', { group: s.group }, s.lagPerPod);
      break;
  }
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(app.name, app),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app.name },
      minReplicas: s.min,
      maxReplicas: s.max,
      metrics: [metric],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

export const stateClaimName = (app: AppSpec): string => `${app.name}-state`;

function stateClaim(app: AppSpec): Manifest | undefined {
  if (!app.stateVolume) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(stateClaimName(app), app),
    spec: { accessModes: [app.stateVolume.accessMode], resources: { requests: { storage: app.stateVolume.size } } },
  };
}

/**
 * The app's Strimzi KafkaUser: a SCRAM-SHA-512 principal named after the app and the ACLs of
 * libs/kafka's APP_ACCESS (the same table the ACL integration test runs on a broker). The User
 * Operator writes the password into the Secret of the same name (key `password`).
 */
export function kafkaUser(app: AppSpec): Manifest | undefined {
  const access = APP_ACCESS.find((a) => a.principal === app.name);
  if (!access) return undefined;
  return kafkaUserOf(access, appLabels(app));
}

/** Principals of APP_ACCESS that are no app: operators' tools (`syi verify`), with a KafkaUser each. */
export const TOOL_PRINCIPALS = ['syi-verify'] as const;

/** The KafkaUsers of the operators' tools: `kubectl get secret syi-verify` holds its password. */
export function toolKafkaUsers(): Manifest[] {
  return TOOL_PRINCIPALS.map((principal) =>
    kafkaUserOf(
      APP_ACCESS.find((a) => a.principal === principal)!,
      {
        'app.kubernetes.io/name': principal,
        'app.kubernetes.io/part-of': 'stableyield',
      },
    ),
  );
}

function kafkaUserOf(access: AppAccess, labels: Record<string, string>): Manifest {
  // One entry per resource with all its operations, as Strimzi lists them.
  const byResource = new Map<string, { resource: Record<string, string>; operations: string[] }>();
  for (const rule of aclRules(access)) {
    const key = `${rule.resourceType}/${rule.name}/${rule.patternType}`;
    const entry = byResource.get(key) ?? {
      resource: { type: rule.resourceType, name: rule.name, patternType: rule.patternType },
      operations: [],
    };
    entry.operations.push(rule.operation);
    byResource.set(key, entry);
  }
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaUser',
    metadata: { name: access.principal, labels: { ...labels, 'strimzi.io/cluster': 'stableyield' } },
    spec: {
      authentication: { type: 'scram-sha-512' },
      authorization: { type: 'simple', acls: [...byResource.values()] },
    },
  };
}

/** Every object of one app, in apply order. */
export function appManifests(app: AppSpec): Manifest[] {
  const out: Manifest[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(app.name, app), automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${app.name}-config`, app), data: appEnv(app) },
    ...[kafkaUser(app), stateClaim(app)].filter((m): m is Manifest => m !== undefined),
    deployment(app),
    service(app),
    metricsService(app),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(app.name, app),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector(app) } },
    },
    networkPolicy(app),
  ];
  const hpa = horizontalPodAutoscaler(app);
  if (hpa) out.push(hpa);
  return out;
}

/** Objects all apps share: configuration and the namespace-wide network rules. */
export function sharedManifests(): Manifest[] {
  const labels = { 'app.kubernetes.io/part-of': 'stableyield' };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stableyield-config', labels }, data: { ...SHARED_ENV } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-all', labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-dns', labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
  ];
}

const DAY_MS = 86_400_000;

/**
 * A Strimzi KafkaTopic per catalog topic and per dead-letter topic, and per processor's state
 * changelog and lease: the apps run with PROVISION_TOPICS=false and their ACLs let none create one.
 */
export function topicManifests(): Manifest[] {
  const catalog = allTopics().map((t: TopicSpec) =>
    kafkaTopic(t.name, t.partitions, { 'cleanup.policy': t.cleanupPolicy, 'retention.ms': t.retentionDays * DAY_MS }),
  );
  const processorState = processorStateTopics().map((t) =>
    kafkaTopic(t.name, t.partitions, {
      'cleanup.policy': t.cleanupPolicy,
      'retention.ms': t.retentionMs,
      ...t.extraConfig,
    }),
  );
  return [...catalog, ...processorState];
}

function kafkaTopic(name: string, partitions: number, config: Record<string, string | number>): Manifest {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: { name, labels: { 'strimzi.io/cluster': 'stableyield' } },
    spec: { topicName: name, partitions, replicas: 3, config: { ...config, 'min.insync.replicas': 2 } },
  };
}

export { APP_NAMESPACE };
