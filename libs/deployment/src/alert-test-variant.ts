/**
 * A fast variant of the shipped monitoring for the alert-arrival test: the same rules with every
 * `for:` shortened, a Prometheus configuration with short scrape and evaluation intervals, and
 * the shipped Alertmanager routing with short grouping waits. The shipped files stay as they are.
 */
import { parse, stringify } from 'yaml';
import type { AlertmanagerTiming } from './alertmanager-config';

interface Rule {
  alert?: string;
  record?: string;
  for?: string;
  [key: string]: unknown;
}
interface RulesFile {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

/** Seconds of a Prometheus duration such as `90s`, `5m`, `1h30m`. */
export function durationSeconds(d: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  const parts = [...d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== d) throw new Error(`not a Prometheus duration: ${d}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

/** The rules file with every alert's `for:` capped at `maxFor` (alerts without one keep none). */
export function fastRulesVariant(rulesYaml: string, maxFor: string): string {
  const file = parse(rulesYaml) as RulesFile;
  const cap = durationSeconds(maxFor);
  for (const group of file.groups) {
    for (const rule of group.rules) {
      if (rule.alert !== undefined && rule.for !== undefined && durationSeconds(rule.for) > cap) rule.for = maxFor;
    }
  }
  return stringify(file, { lineWidth: 0 });
}

export interface FastPrometheusOptions {
  readonly interval: string;
  readonly rulesFile: string;
  readonly alertmanager: string;
  readonly jobs: readonly { readonly name: string; readonly target: string }[];
}

/** A Prometheus configuration scraping `jobs` (job named after the app, as everywhere) every `interval`. */
export function fastPrometheusConfig(o: FastPrometheusOptions): string {
  return stringify(
    {
      global: { scrape_interval: o.interval, scrape_timeout: o.interval, evaluation_interval: o.interval },
      alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] },
      rule_files: [o.rulesFile],
      scrape_configs: o.jobs.map((j) => ({ job_name: j.name, static_configs: [{ targets: [j.target] }] })),
    },
    { lineWidth: 0 },
  );
}

/** Alertmanager timing for the test: notify a second after an alert arrives, updates two seconds apart. */
export const FAST_TIMING: AlertmanagerTiming = {
  groupWait: '1s',
  groupInterval: '2s',
  repeatCritical: '1h',
  repeatWarning: '1h',
  repeatDefault: '1h',
};
