/**
 * Alertmanager: every rendered configuration passes `amtool check-config`, routes each alert
 * rule by its severity, takes its secrets from files, and every Prometheus sends to it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  ALERTMANAGER_SECRET,
  ALERTMANAGER_SECRET_DIR,
  ALERTMANAGER_SECRET_KEYS,
  INHIBITIONS,
  K8S_RECEIVERS,
  alertmanagerConfig,
} from '../src/alertmanager-config';
import { MONITORING_NAMESPACE } from '../src/catalog';
import type { Manifest } from '../src/manifests';
import { ALERTMANAGER_TARGETS } from '../src/prometheus-config';
import { repoPath } from '../src/paths';
import { find, podTemplates } from '../src/yaml-docs';
import { helmTemplate, kubeconform, kustomizeBuild, kustomizeManifests, manifestsOf } from './render';
import { TOOL_TIMEOUT, run, runOk } from './tools';

const HELM_ON = ['--set', 'alertmanager.enabled=true'];

interface Rule {
  alert?: string;
  labels?: { severity: string };
}
/** The alerting rules (recording rules have no alert name). */
const rules = (): { alert: string; labels: { severity: string } }[] =>
  (
    parse(readFileSync(repoPath('monitoring/rules/stableyield.rules.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
  ).groups
    .flatMap((g) => g.rules)
    .flatMap((r) => (r.alert !== undefined && r.labels !== undefined ? [{ alert: r.alert, labels: r.labels }] : []));

interface Receiver {
  name: string;
  pagerduty_configs?: Record<string, unknown>[];
  slack_configs?: Record<string, unknown>[];
  webhook_configs?: { url: string }[];
}
interface AmConfig {
  route: { receiver: string; group_by: string[]; routes: { receiver: string; repeat_interval: string }[] };
  receivers: Receiver[];
  inhibit_rules: { source_matchers: string[]; target_matchers: string[] }[];
}

const tmp = mkdtempSync(join(tmpdir(), 'alertmanager-test-'));
let written = 0;
/** Writes a configuration text to a file of its own (amtool reads files). */
function file(text: string): string {
  const path = join(tmp, `alertmanager-${++written}.yml`);
  writeFileSync(path, text);
  return path;
}

const configMapText = (manifests: Manifest[]): string => {
  const cm = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('alertmanager-config'));
  if (!cm) throw new Error('no ConfigMap alertmanager-config');
  return (cm.data as Record<string, string>)['alertmanager.yml']!;
};

/** Every configuration that is deployed somewhere, by where. */
const RENDERED: Record<string, () => string> = {
  'monitoring/alertmanager.yml (local stack, Compose)': () =>
    readFileSync(repoPath('monitoring/alertmanager.yml'), 'utf8'),
  'monitoring/alertmanager.k8s.yml': () => readFileSync(repoPath('monitoring/alertmanager.k8s.yml'), 'utf8'),
  'kustomize overlays/prod ConfigMap': () => configMapText(manifestsOf(kustomizeBuild('overlays/prod'))),
  'kustomize overlays/dev ConfigMap': () => configMapText(manifestsOf(kustomizeBuild('overlays/dev'))),
  'helm template (alertmanager.enabled) ConfigMap': () => configMapText(manifestsOf(helmTemplate(HELM_ON))),
};

describe.each(Object.keys(RENDERED))('%s', (name) => {
  let path: string;
  beforeAll(() => {
    path = file(RENDERED[name]!());
  }, TOOL_TIMEOUT);

  it(
    'passes amtool check-config',
    () => {
      const out = runOk('amtool', ['check-config', path]);
      expect(out).toContain('SUCCESS');
      expect(out).toContain('- 3 receivers');
      expect(out).toContain(`- ${INHIBITIONS.length} inhibit rules`);
    },
    TOOL_TIMEOUT,
  );

  it.each(rules().map((r) => [r.alert, r.labels.severity]))(
    'routes %s (severity %s) to the receiver of its severity only',
    (alert, severity) => {
      const out = runOk('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${path}`,
        `alertname=${alert}`,
        `severity=${severity}`,
        'job=api',
      ]);
      expect(out.trim()).toBe(severity);
    },
    TOOL_TIMEOUT,
  );

  it(
    'sends an alert of no known severity to the default receiver',
    () => {
      expect(
        runOk('amtool', [
          'config',
          'routes',
          'test',
          `--config.file=${path}`,
          'alertname=Other',
          'severity=info',
        ]).trim(),
      ).toBe('default');
    },
    TOOL_TIMEOUT,
  );
});

describe('amtool check-config', () => {
  it(
    'rejects a broken configuration (the check is not vacuous)',
    () => {
      const text = readFileSync(repoPath('monitoring/alertmanager.k8s.yml'), 'utf8').replace(
        'receiver: default',
        'receiver: nobody',
      );
      const r = run('amtool', ['check-config', file(text)]);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('nobody');
    },
    TOOL_TIMEOUT,
  );
});

describe('the Kubernetes configuration (monitoring/alertmanager.k8s.yml)', () => {
  const config = (): AmConfig => parse(readFileSync(repoPath('monitoring/alertmanager.k8s.yml'), 'utf8')) as AmConfig;
  const receiver = (name: string): Receiver => config().receivers.find((r) => r.name === name)!;

  it.each([
    {
      title: 'pages critical alerts through PagerDuty with the routing key from the Secret file',
      name: 'critical',
      sends: 'pagerduty_configs',
      keyFile: { routing_key_file: `${ALERTMANAGER_SECRET_DIR}/${ALERTMANAGER_SECRET_KEYS.pagerduty}` },
      not: 'slack_configs',
    },
    {
      title: 'posts warnings to Slack with the webhook URL from the Secret file',
      name: 'warning',
      sends: 'slack_configs',
      keyFile: { api_url_file: `${ALERTMANAGER_SECRET_DIR}/${ALERTMANAGER_SECRET_KEYS.slack}` },
      not: 'pagerduty_configs',
    },
  ] as const)('$title', ({ name, sends, keyFile, not }) => {
    expect(receiver(name)[sends]).toEqual([expect.objectContaining({ ...keyFile, send_resolved: true })]);
    expect(receiver(name)[not]).toBeUndefined();
  });

  it('sends everything to the generic webhook too', () => {
    for (const r of config().receivers)
      expect({ receiver: r.name, webhook: r.webhook_configs?.map((w) => w.url) }).toEqual({
        receiver: r.name,
        webhook: [K8S_RECEIVERS.webhookUrl],
      });
  });

  it('holds no secret value: no routing_key, service_key or api_url, only their _file forms', () => {
    const text = readFileSync(repoPath('monitoring/alertmanager.k8s.yml'), 'utf8');
    expect(text).not.toMatch(/^\s*(routing_key|service_key|api_url|slack_api_url|pagerduty_url):/m);
    expect(text).not.toContain('hooks.slack.com');
  });

  it('groups by alert and job, repeats pages hourly and Slack posts every 4 hours', () => {
    const { route } = config();
    expect(route.group_by).toEqual(['alertname', 'job']);
    expect(route.routes.map((r) => [r.receiver, r.repeat_interval])).toEqual([
      ['critical', '1h'],
      ['warning', '4h'],
    ]);
  });

  it('inhibits only alerts that exist, and a stale index inhibits what it causes downstream', () => {
    const names = new Set(rules().map((r) => r.alert));
    const mentioned = config()
      .inhibit_rules.flatMap((i) => [...i.source_matchers, ...i.target_matchers])
      .flatMap((m) => /^alertname=~?"(.*)"$/.exec(m)?.[1]?.split('|') ?? []);
    expect(mentioned.length).toBeGreaterThan(3);
    expect(mentioned.filter((n) => !names.has(n))).toEqual([]);
    expect(config().inhibit_rules).toContainEqual(
      expect.objectContaining({ source_matchers: ['alertname="SYIStale"'] }),
    );
  });

  it('is what the generator writes for Kubernetes', () => {
    expect(readFileSync(repoPath('monitoring/alertmanager.k8s.yml'), 'utf8')).toBe(
      alertmanagerConfig('k8s', K8S_RECEIVERS),
    );
  });
});

describe('Alertmanager on Kubernetes', () => {
  const base = kustomizeManifests('base');

  it('runs in the monitoring namespace with the tested configuration and the receivers Secret read-only', () => {
    const deployment = find(base, 'Deployment', 'alertmanager');
    expect(deployment.metadata.namespace).toBe(MONITORING_NAMESPACE);
    const { podSpec } = podTemplates([deployment])[0]!;
    const volumes = podSpec.volumes as {
      name: string;
      configMap?: { name: string };
      secret?: { secretName: string; items: { key: string }[] };
    }[];
    const configMap = volumes.find((v) => v.configMap)!.configMap!.name;
    expect(configMapText(base.filter((m) => m.metadata.name === configMap))).toBe(
      readFileSync(repoPath('monitoring/alertmanager.k8s.yml'), 'utf8'),
    );
    const secret = volumes.find((v) => v.secret)!;
    expect(secret.secret!.secretName).toBe(ALERTMANAGER_SECRET);
    expect(secret.secret!.items.map((i) => i.key).sort()).toEqual(Object.values(ALERTMANAGER_SECRET_KEYS).sort());
    expect(podSpec.containers[0]!.volumeMounts).toContainEqual({
      name: secret.name,
      mountPath: ALERTMANAGER_SECRET_DIR,
      readOnly: true,
    });
  });

  it('is the Alertmanager Prometheus sends to, and Prometheus may reach it', () => {
    const service = find(base, 'Service', 'alertmanager');
    const port = (service.spec as { ports: { port: number }[] }).ports[0]!.port;
    expect(ALERTMANAGER_TARGETS.k8s).toBe(
      `alertmanager.${String(service.metadata.namespace)}.svc.cluster.local:${String(port)}`,
    );
    const prometheusPolicy = base.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'prometheus')!;
    expect(JSON.stringify(prometheusPolicy.spec)).toContain('"app.kubernetes.io/name":"alertmanager"');
  });

  it('keeps Prometheus data 30 days', () => {
    const args = podTemplates([find(base, 'Deployment', 'prometheus')])[0]!.podSpec.containers.flatMap(
      (c) => (c as unknown as { args: string[] }).args,
    );
    expect(args).toContain('--storage.tsdb.retention.time=30d');
  });

  it(
    'is rendered by Helm with the same objects when enabled, valid, and not by default',
    () => {
      const helm = manifestsOf(helmTemplate(HELM_ON)).filter(
        (m) => (m.metadata.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name'] === 'alertmanager',
      );
      const result = kubeconform(helmTemplate(HELM_ON));
      if (result.status !== 0) throw new Error(result.output);
      const key = (m: Manifest): string => `${m.kind}/${m.metadata.name}`;
      const strip = (m: Manifest): unknown => {
        const copy = JSON.parse(JSON.stringify(m)) as Manifest & {
          spec?: { template?: { metadata: Record<string, unknown> } };
        };
        for (const meta of [copy.metadata, copy.spec?.template?.metadata]) {
          if (!meta) continue;
          delete meta.namespace;
          delete meta.annotations;
          const labels = meta.labels as Record<string, string> | undefined;
          for (const l of ['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'helm.sh/chart'])
            delete labels?.[l];
        }
        return copy;
      };
      const fromBase = base.filter((m) => m.metadata.name.startsWith('alertmanager') && m.kind !== 'ConfigMap');
      expect(fromBase.map(key).sort()).toEqual([
        'Deployment/alertmanager',
        'NetworkPolicy/alertmanager',
        'PersistentVolumeClaim/alertmanager-data',
        'Service/alertmanager',
        'ServiceAccount/alertmanager',
      ]);
      for (const m of fromBase) {
        const h = helm.find((x) => key(x) === key(m));
        const baseCopy = strip(m) as {
          spec?: { template?: { spec: { volumes: { configMap?: { name: string } }[] } } };
        };
        // kustomize suffixes the ConfigMap name with its hash; Helm rolls the pods with checksum/config.
        for (const v of baseCopy.spec?.template?.spec.volumes ?? [])
          if (v.configMap) v.configMap.name = 'alertmanager-config';
        expect({ object: key(m), manifest: h ? strip(h) : undefined }).toEqual({ object: key(m), manifest: baseCopy });
      }
      expect(parse(configMapText(manifestsOf(helmTemplate(HELM_ON))))).toEqual(
        parse(readFileSync(repoPath('monitoring/alertmanager.k8s.yml'), 'utf8')),
      );
      expect(manifestsOf(helmTemplate()).filter((m) => m.metadata.name.startsWith('alertmanager'))).toEqual([]);
    },
    TOOL_TIMEOUT,
  );
});

describe('Prometheus sends its alerts to Alertmanager', () => {
  interface PromConfig {
    alerting?: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  }
  const targets = (file: string): string[] =>
    ((parse(readFileSync(repoPath(file), 'utf8')) as PromConfig).alerting?.alertmanagers ?? []).flatMap((a) =>
      a.static_configs.flatMap((s) => s.targets),
    );

  it('in every generated configuration', () => {
    expect(targets('monitoring/prometheus.yml')).toEqual([ALERTMANAGER_TARGETS.local]);
    expect(targets('monitoring/prometheus.compose.yml')).toEqual([ALERTMANAGER_TARGETS.compose]);
    expect(targets('monitoring/prometheus.k8s.yml')).toEqual([ALERTMANAGER_TARGETS.k8s]);
  });

  it("in the local stack, at the port the stack's Alertmanager listens on", () => {
    const env = readFileSync(repoPath('scripts/stack/env.sh'), 'utf8');
    const port = /ALERTMANAGER_PORT=\$\{ALERTMANAGER_PORT:-(\d+)\}/.exec(env)?.[1];
    expect(ALERTMANAGER_TARGETS.local).toBe(`127.0.0.1:${String(port)}`);
    expect(readFileSync(repoPath('scripts/stack/prometheus/prometheus.local.yml'), 'utf8')).toContain(
      "targets: ['127.0.0.1:@ALERTMANAGER_PORT@']",
    );
  });

  it('in Compose, to a service of that name', () => {
    const compose = parse(readFileSync(repoPath('docker-compose.yml'), 'utf8')) as {
      services: Record<string, { image: string; command: string[] }>;
    };
    expect(compose.services.alertmanager?.command).toContain('--config.file=/etc/alertmanager/alertmanager.yml');
    expect(ALERTMANAGER_TARGETS.compose).toBe('alertmanager:9093');
  });
});
