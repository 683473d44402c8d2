/**
 * Alertmanager on Kubernetes: a plain Deployment like Prometheus (k8s/base/monitoring), one
 * replica without clustering, its silences and notification log on a PersistentVolumeClaim,
 * the configuration from the ConfigMap `alertmanager-config` (monitoring/alertmanager.k8s.yml)
 * and the receivers' secrets as read-only files of the Secret `alertmanager-receivers`.
 * Written to k8s/base/monitoring/alertmanager.yaml; the Helm chart renders the same objects
 * (helm/stableyield/templates/alertmanager.yaml, alertmanager.enabled).
 */
import { MONITORING_NAMESPACE } from './catalog';
import { ALERTMANAGER_SECRET, ALERTMANAGER_SECRET_DIR, ALERTMANAGER_SECRET_KEYS } from './alertmanager-config';
import { containerSecurityContext, podSecurityContext, type Manifest } from './manifests';

/** The version the tests validate configurations with (Debian's amtool 0.25). */
export const ALERTMANAGER_IMAGE = 'prom/alertmanager:v0.25.0';
export const ALERTMANAGER_PORT = 9093;
/** The image's `nobody`. */
const UID = 65534;

// Functions, not shared objects: a shared object would come out as a YAML anchor.
const labels = (): Record<string, string> => ({
  'app.kubernetes.io/name': 'alertmanager',
  'app.kubernetes.io/part-of': 'stableyield',
});
const selector = (): Record<string, string> => ({ 'app.kubernetes.io/name': 'alertmanager' });

export const ALERTMANAGER_RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } };
export const ALERTMANAGER_STORAGE = '1Gi';

export function alertmanagerManifests(): Manifest[] {
  const deployment: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'alertmanager', labels: labels() },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector() },
      template: {
        metadata: { labels: labels() },
        spec: {
          serviceAccountName: 'alertmanager',
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(UID),
          containers: [
            {
              name: 'alertmanager',
              image: ALERTMANAGER_IMAGE,
              args: [
                '--config.file=/etc/alertmanager/alertmanager.yml',
                '--storage.path=/alertmanager',
                `--web.listen-address=:${ALERTMANAGER_PORT}`,
                // One replica: no gossip cluster to form.
                '--cluster.listen-address=',
              ],
              ports: [{ name: 'http', containerPort: ALERTMANAGER_PORT }],
              readinessProbe: { httpGet: { path: '/-/ready', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/-/healthy', port: 'http' }, periodSeconds: 15 },
              resources: structuredClone(ALERTMANAGER_RESOURCES),
              securityContext: containerSecurityContext(UID),
              volumeMounts: [
                { name: 'config', mountPath: '/etc/alertmanager/alertmanager.yml', subPath: 'alertmanager.yml' },
                { name: 'receivers', mountPath: ALERTMANAGER_SECRET_DIR, readOnly: true },
                { name: 'data', mountPath: '/alertmanager' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: 'alertmanager-config' } },
            {
              name: 'receivers',
              secret: {
                secretName: ALERTMANAGER_SECRET,
                defaultMode: 0o440,
                items: Object.values(ALERTMANAGER_SECRET_KEYS).map((key) => ({ key, path: key })),
              },
            },
            { name: 'data', persistentVolumeClaim: { claimName: 'alertmanager-data' } },
          ],
        },
      },
    },
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'alertmanager', labels: labels() },
      automountServiceAccountToken: false,
    },
    deployment,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'alertmanager-data', labels: labels() },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: ALERTMANAGER_STORAGE } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'alertmanager', labels: labels() },
      spec: { selector: selector(), ports: [{ name: 'http', port: ALERTMANAGER_PORT, targetPort: 'http' }] },
    },
    {
      // Prometheus (namespace monitoring) sends alerts; Alertmanager reaches PagerDuty and Slack
      // over HTTPS and the generic webhook in the monitoring namespace.
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'alertmanager', labels: labels() },
      spec: {
        podSelector: { matchLabels: selector() },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: ALERTMANAGER_PORT }],
          },
        ],
        egress: [
          { ports: [{ protocol: 'TCP', port: 443 }] },
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alert-webhook' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: 8080 }],
          },
        ],
      },
    },
  ];
}
