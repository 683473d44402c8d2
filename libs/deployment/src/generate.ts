/**
 * The generated deployment files: path (from the repository root) → content. `generate-cli.ts`
 * writes them; generate.test.ts fails when a committed file differs (edit catalog.ts, then
 * run `npx tsx libs/deployment/src/generate-cli.ts`).
 */
import { stringify } from 'yaml';
import {
  APP_NAMESPACE,
  APPS,
  IMAGE,
  SECRET_MOUNT_PATH,
  SHARED_ENV,
  terminationGracePeriodSeconds,
  type AppSpec,
} from './catalog';
import {
  ALERTMANAGER_SECRET,
  K8S_RECEIVERS,
  alertmanagerConfig,
  alertmanagerConfigObject,
} from './alertmanager-config';
import {
  ALERTMANAGER_IMAGE,
  ALERTMANAGER_RESOURCES,
  ALERTMANAGER_STORAGE,
  alertmanagerManifests,
} from './alertmanager-manifests';
import { dashboardFiles } from './dashboards';
import { prometheusConfig } from './prometheus-config';
import {
  IMAGE_TAG,
  appEnv,
  appManifests,
  appSecretEnv,
  initialReplicas,
  sharedManifests,
  toolKafkaUsers,
  topicManifests,
  type Manifest,
} from './manifests';

const HEADER = '# Generated from libs/deployment/src/catalog.ts by libs/deployment/src/generate-cli.ts: do not edit.\n';

export function toYamlDocuments(manifests: readonly Manifest[]): string {
  return HEADER + manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n');
}

function kustomization(resources: string[]): string {
  const k = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: APP_NAMESPACE,
    resources,
  };
  return HEADER + stringify(k, { lineWidth: 0 });
}

/** Helm values for one app: the same facts the Kubernetes base is built from. */
function helmAppValues(app: AppSpec): Record<string, unknown> {
  const manifests = appManifests(app);
  const ofKind = (kind: string): Manifest | undefined => manifests.find((m) => m.kind === kind);
  const deployment = ofKind('Deployment');
  const networkPolicy = ofKind('NetworkPolicy');
  const hpa = ofKind('HorizontalPodAutoscaler');
  const user = ofKind('KafkaUser');
  if (!deployment || !networkPolicy) throw new Error(`${app.name}: no Deployment or NetworkPolicy`);
  const podSpec = (deployment.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
  const container = podSpec.containers[0] ?? {};
  const np = networkPolicy.spec as { ingress: unknown[]; egress: unknown[] };
  let autoscaling: Record<string, unknown> = { enabled: false };
  if (hpa) {
    const { scaleTargetRef: _target, ...spec } = hpa.spec as Record<string, unknown>;
    autoscaling = { enabled: true, ...spec };
  }
  return {
    enabled: app.devOnly !== true,
    healthPort: app.healthPort,
    ...(app.mainPort !== undefined ? { mainPort: app.mainPort } : {}),
    livePath: app.livePath,
    readyPath: app.readyPath,
    replicas: initialReplicas(app),
    terminationGracePeriodSeconds: terminationGracePeriodSeconds(app),
    ...(app.stateVolume ? { stateVolume: { ...app.stateVolume } } : {}),
    env: appEnv(app),
    secretEnv: appSecretEnv(app).map((s) => ({ ...s })),
    ...(user ? { kafkaUser: user.spec } : {}),
    resources: container.resources,
    autoscaling,
    networkPolicy: { ingress: np.ingress, egress: np.egress },
  };
}

function helmValues(): string {
  const values = {
    image: { repository: IMAGE, tag: IMAGE_TAG, pullPolicy: 'IfNotPresent' },
    sharedEnv: { ...SHARED_ENV },
    secretMountPath: SECRET_MOUNT_PATH,
    ingress: {
      enabled: false,
      className: 'nginx',
      host: 'stableyield.example.com',
      tlsSecretName: '',
      annotations: {},
    },
    apps: Object.fromEntries(APPS.map((a) => [a.name, helmAppValues(a)])),
    // KafkaUsers of the operators' tools (`syi verify`), no workload of their own
    toolKafkaUsers: Object.fromEntries(toolKafkaUsers().map((u) => [u.metadata.name, u.spec])),
    // The Alertmanager of k8s/base/monitoring, for installs without it (off by default: the
    // kustomize monitoring namespace has its own). `config` is Alertmanager's configuration file.
    alertmanager: {
      enabled: false,
      image: ALERTMANAGER_IMAGE,
      receiversSecret: ALERTMANAGER_SECRET,
      storage: ALERTMANAGER_STORAGE,
      resources: ALERTMANAGER_RESOURCES,
      config: alertmanagerConfigObject(K8S_RECEIVERS),
    },
  };
  return (
    HEADER +
    '# Override per install with -f or --set, e.g. --set apps.api.replicas=5.\n' +
    stringify(values, { lineWidth: 0 })
  );
}

export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const baseApps = APPS.filter((a) => a.devOnly !== true);
  for (const app of APPS) {
    const dir = app.devOnly === true ? `k8s/overlays/dev/${app.name}` : 'k8s/base/apps';
    files.set(`${dir}/${app.name}.yaml`, toYamlDocuments(appManifests(app)));
    if (app.devOnly === true) files.set(`${dir}/kustomization.yaml`, kustomization([`${app.name}.yaml`]));
  }
  files.set('k8s/base/apps/shared.yaml', toYamlDocuments(sharedManifests()));
  files.set('k8s/base/apps/tools.yaml', toYamlDocuments(toolKafkaUsers()));
  files.set(
    'k8s/base/apps/kustomization.yaml',
    kustomization(['shared.yaml', ...baseApps.map((a) => `${a.name}.yaml`), 'tools.yaml']),
  );
  files.set('k8s/base/data/topics.yaml', toYamlDocuments(topicManifests()));
  files.set('helm/stableyield/values.yaml', helmValues());
  files.set('monitoring/prometheus.yml', prometheusConfig('local'));
  files.set('monitoring/prometheus.compose.yml', prometheusConfig('compose'));
  files.set('monitoring/prometheus.k8s.yml', prometheusConfig('k8s'));
  files.set('monitoring/alertmanager.yml', alertmanagerConfig('local', {}));
  files.set('monitoring/alertmanager.k8s.yml', alertmanagerConfig('k8s', K8S_RECEIVERS));
  files.set('k8s/base/monitoring/alertmanager.yaml', toYamlDocuments(alertmanagerManifests()));
  for (const [path, content] of dashboardFiles()) files.set(path, content);
  return files;
}
