/**
 * The metric names monitoring/ depends on (alert and recording rules, Grafana dashboards) and
 * the names a running app's /metrics exposes, so a test can check the first against the second.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { metricNames } from './promql';

/** Series Prometheus writes itself: per scrape target, and the alert state series. */
export function isPrometheusSeries(name: string): boolean {
  return name === 'up' || name.startsWith('scrape_') || name === 'ALERTS' || name === 'ALERTS_FOR_STATE';
}

interface RuleFile {
  groups?: { rules?: { alert?: string; record?: string; expr: string }[] }[];
}
interface DashboardFile {
  panels?: { title?: string; targets?: { expr?: string }[] }[];
}

export interface UsedMetrics {
  /** metric name → where it is used (`rules/x.yml: AlertName`, `dashboards/x.json: Panel`). */
  readonly used: ReadonlyMap<string, readonly string[]>;
  /** Names defined by recording rules: Prometheus computes them, no app exports them. */
  readonly recorded: ReadonlySet<string>;
}

/** Reads every rule file under `<monitoringDir>/rules` and dashboard under `<monitoringDir>/grafana/dashboards`. */
export function usedMetrics(monitoringDir: string): UsedMetrics {
  const used = new Map<string, string[]>();
  const recorded = new Set<string>();
  const use = (expr: string, where: string) => {
    for (const name of metricNames(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  };
  const rulesDir = join(monitoringDir, 'rules');
  for (const file of readdirSync(rulesDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const doc = parse(readFileSync(join(rulesDir, file), 'utf8')) as RuleFile;
    for (const rule of (doc.groups ?? []).flatMap((g) => g.rules ?? [])) {
      if (rule.record !== undefined) recorded.add(rule.record);
      use(rule.expr, `rules/${file}: ${rule.alert ?? rule.record ?? '?'}`);
    }
  }
  const dashboardsDir = join(monitoringDir, 'grafana', 'dashboards');
  for (const file of readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const doc = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as DashboardFile;
    for (const panel of doc.panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined) use(target.expr, `dashboards/${file}: ${panel.title ?? '?'}`);
      }
    }
  }
  return { used, recorded };
}

/**
 * Metric names in a Prometheus text exposition: HELP and TYPE lines (a registered metric
 * without samples yet still counts) and sample lines, histogram and summary series mapped to
 * their base name like metricNames() does.
 */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const meta = /^#\s+(?:HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    const sample = meta === null && !line.startsWith('#') ? /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/.exec(line) : null;
    const name = meta?.[1] ?? sample?.[1];
    if (name === undefined) continue;
    names.add(name);
    names.add(name.replace(/_(bucket|sum|count)$/, ''));
  }
  return names;
}

/** Names the rules and dashboards use that no scraped app exposes, with where each is used. */
export function missingMetrics(
  used: UsedMetrics,
  exposed: ReadonlySet<string>,
): { name: string; usedIn: readonly string[] }[] {
  return [...used.used]
    .filter(([name]) => !exposed.has(name) && !used.recorded.has(name) && !isPrometheusSeries(name))
    .map(([name, usedIn]) => ({ name, usedIn }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The folder a running Prometheus discovers targets from (its first `file_sd_configs` glob of
 * `*.json` files), read from the configuration it reports at /api/v1/status/config: the local
 * stack's Prometheus may have been started from another checkout's $STACK_DIR.
 */
export function fileSdDirectory(configYaml: string): string | undefined {
  const config = parse(configYaml) as { scrape_configs?: { file_sd_configs?: { files?: string[] }[] }[] } | null;
  for (const job of config?.scrape_configs ?? []) {
    for (const sd of job.file_sd_configs ?? []) {
      const glob = (sd.files ?? []).find((f) => f.endsWith('*.json'));
      if (glob !== undefined) return dirname(glob);
    }
  }
  return undefined;
}
