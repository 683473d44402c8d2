/**
 * The three Prometheus configurations (local stack, docker-compose, Kubernetes): the same
 * jobs, one per app, named after the app, which the alert rules and dashboards rely on.
 * Kubernetes targets come from DNS (the headless `<app>-metrics` Services) because the
 * promtool that validates them (Debian's) is built without Kubernetes discovery, and DNS
 * discovery needs no RBAC.
 */
import { stringify } from 'yaml';
import { APP_NAMESPACE, APPS, type AppSpec } from './catalog';

export type PrometheusTarget = 'local' | 'compose' | 'k8s';

/** Port the keeper's metrics listen on in each environment (9207 locally, its default 9090 elsewhere). */
function scrapePort(app: AppSpec, target: PrometheusTarget): number {
  if (app.name === 'keeper' && target === 'local') return 9207;
  return app.healthPort;
}

function appJob(app: AppSpec, target: PrometheusTarget): Record<string, unknown> {
  const port = scrapePort(app, target);
  switch (target) {
    case 'local':
      return { job_name: app.name, static_configs: [{ targets: [`127.0.0.1:${port}`] }] };
    case 'compose':
      return { job_name: app.name, static_configs: [{ targets: [`${app.name}:${port}`] }] };
    case 'k8s':
      return {
        job_name: app.name,
        dns_sd_configs: [{ names: [`${app.name}-metrics.${APP_NAMESPACE}.svc.cluster.local`], type: 'A', port }],
      };
  }
}

const HEADERS: Record<PrometheusTarget, string> = {
  local:
    '# Prometheus for the local stack: apps on 127.0.0.1 at the health ports of docs/ports.md.\n' +
    '# Run: prometheus --config.file=monitoring/prometheus.yml --web.listen-address=127.0.0.1:9091\n',
  compose: '# Prometheus inside docker-compose.yml (published on host port 9091): apps by service name.\n',
  k8s:
    '# Prometheus on Kubernetes (k8s/base/monitoring): every pod of each app through its headless\n' +
    '# <app>-metrics Service.\n',
};

/** Where each Prometheus sends its alerts (docs/ports.md; scripts/stack/components/alertmanager.sh locally). */
export const ALERTMANAGER_TARGETS: Record<PrometheusTarget, string> = {
  local: '127.0.0.1:9095',
  compose: 'alertmanager:9093',
  k8s: 'alertmanager.monitoring.svc.cluster.local:9093',
};

export function prometheusConfig(target: PrometheusTarget): string {
  const apps = target === 'k8s' ? APPS.filter((a) => a.devOnly !== true) : APPS;
  const config = {
    global: { scrape_interval: '15s', evaluation_interval: '15s', external_labels: { system: 'stableyield' } },
    alerting: { alertmanagers: [{ static_configs: [{ targets: [ALERTMANAGER_TARGETS[target]] }] }] },
    rule_files: ['rules/*.yml'],
    scrape_configs: [
      {
        job_name: 'prometheus',
        static_configs: [{ targets: [target === 'local' ? '127.0.0.1:9091' : 'localhost:9090'] }],
      },
      ...apps.map((a) => appJob(a, target)),
    ],
  };
  return (
    HEADERS[target] +
    '# Generated from libs/deployment/src/catalog.ts by libs/deployment/src/generate-cli.ts: do not edit.\n' +
    stringify(config, { lineWidth: 0 })
  );
}
