/**
 * The Alertmanager configuration: one routing tree for every environment, receivers per
 * environment.
 *
 *   severity="critical"  → receiver `critical`: PagerDuty (routing key read from a file) + the generic webhook
 *   severity="warning"   → receiver `warning`:  Slack (webhook URL read from a file)    + the generic webhook
 *   anything else        → receiver `default`:  the generic webhook
 *
 * Every receiver carries the generic webhook, so everything reaches it exactly once per
 * notification. Locally no PagerDuty or Slack exists: the receivers keep their names and
 * routing and carry only the webhook when one is given (none: the alerts stay visible in
 * Alertmanager's UI and `amtool alert query`).
 *
 * Secrets are never in the file: PagerDuty's `routing_key_file` and Slack's `api_url_file`
 * point at files mounted from a Secret. Alertmanager 0.25 (Debian's, and the image pinned in
 * k8s/) has no `url_file` for webhooks, so the generic webhook's URL is plain configuration:
 * an in-cluster address, not a credential.
 */
import { stringify } from 'yaml';

export interface AlertmanagerTiming {
  /** Wait before the first notification of a new group (collects alerts that fire together). */
  readonly groupWait: string;
  /** Wait before notifying about alerts added to (or resolved in) a group already notified. */
  readonly groupInterval: string;
  readonly repeatCritical: string;
  readonly repeatWarning: string;
  readonly repeatDefault: string;
}

/** The shipped timing: pages repeat hourly while unresolved, Slack every 4 h. */
export const SHIPPED_TIMING: AlertmanagerTiming = {
  groupWait: '30s',
  groupInterval: '5m',
  repeatCritical: '1h',
  repeatWarning: '4h',
  repeatDefault: '12h',
};

export interface AlertmanagerReceivers {
  /** File holding the PagerDuty Events API v2 routing key; critical alerts page through it. */
  readonly pagerdutyRoutingKeyFile?: string;
  /** File holding the Slack incoming-webhook URL; warnings are posted through it. */
  readonly slackApiUrlFile?: string;
  readonly slackChannel?: string;
  /** Generic webhook every alert is also sent to. */
  readonly webhookUrl?: string;
}

/** Where the k8s Alertmanager finds its Secret `alertmanager-receivers`. */
export const ALERTMANAGER_SECRET = 'alertmanager-receivers';
export const ALERTMANAGER_SECRET_DIR = '/etc/alertmanager/secrets';
export const ALERTMANAGER_SECRET_KEYS = { pagerduty: 'pagerduty-routing-key', slack: 'slack-webhook-url' } as const;
/** The generic webhook in Kubernetes: a Service `alert-webhook` in the monitoring namespace (your relay). */
export const K8S_WEBHOOK_URL = 'http://alert-webhook.monitoring.svc.cluster.local:8080/alerts';

export const K8S_RECEIVERS: AlertmanagerReceivers = {
  pagerdutyRoutingKeyFile: `${ALERTMANAGER_SECRET_DIR}/${ALERTMANAGER_SECRET_KEYS.pagerduty}`,
  slackApiUrlFile: `${ALERTMANAGER_SECRET_DIR}/${ALERTMANAGER_SECRET_KEYS.slack}`,
  slackChannel: '#stableyield-alerts',
  webhookUrl: K8S_WEBHOOK_URL,
};

/**
 * Inhibitions: while the source alert fires, the target alerts (the consequences) notify no one.
 * Sources and targets are alert names of monitoring/rules (a test checks they exist).
 */
export interface Inhibition {
  readonly why: string;
  readonly source: Readonly<Record<string, string>>;
  readonly targets: readonly string[] | 'same-alert';
  readonly equal: readonly string[];
}

export const INHIBITIONS: readonly Inhibition[] = [
  {
    why: 'a stale index leaves the auditor nothing to verify',
    source: { alertname: 'SYIStale' },
    targets: ['SYIVerificationLagging'],
    equal: [],
  },
  {
    why: 'without Hermes prices the keeper has nothing to push',
    source: { alertname: 'HermesSSEDisconnected' },
    targets: ['OracleStale'],
    equal: [],
  },
  {
    why: 'an app that is down cannot report its loop either',
    source: { alertname: 'AppDown' },
    targets: ['MainLoopStalled'],
    equal: ['job', 'instance'],
  },
  {
    why: 'the critical instance of an alert silences its warning instance',
    source: { severity: 'critical' },
    targets: 'same-alert',
    equal: ['alertname', 'job'],
  },
];

const matcher = (labels: Readonly<Record<string, string>>): string[] =>
  Object.entries(labels).map(([k, v]) => `${k}="${v}"`);

function inhibitRules(): Record<string, unknown>[] {
  return INHIBITIONS.map((i) => ({
    source_matchers: matcher(i.source),
    target_matchers: i.targets === 'same-alert' ? ['severity="warning"'] : [`alertname=~"${i.targets.join('|')}"`],
    ...(i.equal.length > 0 ? { equal: [...i.equal] } : {}),
  }));
}

function receivers(r: AlertmanagerReceivers): Record<string, unknown>[] {
  // A fresh object per receiver: shared ones would come out as YAML anchors.
  const webhook = (): Record<string, unknown> =>
    r.webhookUrl !== undefined ? { webhook_configs: [{ url: r.webhookUrl, send_resolved: true }] } : {};
  const pagerduty =
    r.pagerdutyRoutingKeyFile !== undefined
      ? {
          pagerduty_configs: [
            {
              routing_key_file: r.pagerdutyRoutingKeyFile,
              send_resolved: true,
              severity: 'critical',
              description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
            },
          ],
        }
      : {};
  const slack =
    r.slackApiUrlFile !== undefined
      ? {
          slack_configs: [
            {
              api_url_file: r.slackApiUrlFile,
              channel: r.slackChannel ?? '#alerts',
              send_resolved: true,
              title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
              text: '{{ range .Alerts }}{{ .Annotations.summary }} {{ .Annotations.runbook_url }}\n{{ end }}',
            },
          ],
        }
      : {};
  return [
    { name: 'critical', ...pagerduty, ...webhook() },
    { name: 'warning', ...slack, ...webhook() },
    { name: 'default', ...webhook() },
  ];
}

/** The configuration as an object (Helm values hold it this way). */
export function alertmanagerConfigObject(
  r: AlertmanagerReceivers,
  timing: AlertmanagerTiming = SHIPPED_TIMING,
): Record<string, unknown> {
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'default',
      group_by: ['alertname', 'job'],
      group_wait: timing.groupWait,
      group_interval: timing.groupInterval,
      repeat_interval: timing.repeatDefault,
      routes: [
        { receiver: 'critical', matchers: ['severity="critical"'], repeat_interval: timing.repeatCritical },
        { receiver: 'warning', matchers: ['severity="warning"'], repeat_interval: timing.repeatWarning },
      ],
    },
    inhibit_rules: inhibitRules(),
    receivers: receivers(r),
  };
}

const HEADERS = {
  local:
    '# Alertmanager of the local stack (scripts/stack/components/alertmanager.sh): the routing of\n' +
    '# k8s, receivers without PagerDuty or Slack (alerts visible at http://127.0.0.1:9095).\n',
  k8s:
    '# Alertmanager on Kubernetes (k8s/base/monitoring/alertmanager.yaml). The PagerDuty routing key and the\n' +
    `# Slack webhook URL are files of the Secret ${ALERTMANAGER_SECRET} (docs/operations.md).\n`,
} as const;

export function alertmanagerConfig(
  target: keyof typeof HEADERS,
  r: AlertmanagerReceivers,
  timing: AlertmanagerTiming = SHIPPED_TIMING,
): string {
  return (
    HEADERS[target] +
    '# Generated by libs/deployment/src/generate-cli.ts (alertmanager-config.ts): do not edit.\n' +
    stringify(alertmanagerConfigObject(r, timing), { lineWidth: 0 })
  );
}
