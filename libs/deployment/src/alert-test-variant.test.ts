import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { durationSeconds, fastPrometheusConfig, fastRulesVariant } from './alert-test-variant';
import { repoPath } from './paths';

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}
const rulesOf = (text: string): Rule[] =>
  (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

describe('durationSeconds', () => {
  it.each([
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['500ms', 0.5],
  ])('%s is %d s', (d, s) => expect(durationSeconds(d)).toBe(s));
  it.each(['', '5', '5 m', 'm5', '5mx'])('rejects %j', (d) =>
    expect(() => durationSeconds(d)).toThrow('not a Prometheus duration'),
  );
});

describe('fastRulesVariant', () => {
  const shipped = readFileSync(repoPath('monitoring/rules/stableyield.rules.yml'), 'utf8');

  it('caps every for: and changes nothing else', () => {
    const fast = rulesOf(fastRulesVariant(shipped, '3s'));
    const original = rulesOf(shipped);
    expect(fast).toHaveLength(original.length);
    fast.forEach((rule, i) => {
      const { for: f, ...rest } = rule;
      const { for: o, ...originalRest } = original[i]!;
      expect(rest).toEqual(originalRest);
      expect(f).toBe(o === undefined ? undefined : '3s');
    });
    expect(original.find((r) => r.alert === 'AppDown')?.for).toBe('2m');
  });

  it('keeps a for: shorter than the cap', () => {
    const text = 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 1s\n';
    expect(rulesOf(fastRulesVariant(text, '3s'))[0]!.for).toBe('1s');
  });
});

describe('fastPrometheusConfig', () => {
  it('scrapes each job at its target and sends alerts to the given Alertmanager', () => {
    const config = parse(
      fastPrometheusConfig({
        interval: '1s',
        rulesFile: '/r.yml',
        alertmanager: '127.0.0.1:1',
        jobs: [{ name: 'api', target: '127.0.0.1:2' }],
      }),
    ) as Record<string, unknown>;
    expect(config).toEqual({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:1'] }] }] },
      rule_files: ['/r.yml'],
      scrape_configs: [{ job_name: 'api', static_configs: [{ targets: ['127.0.0.1:2'] }] }],
    });
  });
});
