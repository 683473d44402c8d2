/**
 * docs/runbooks.md: one section per alert, each rule's runbook_url pointing at it, and the
 * commands written against our names: apps, container, namespaces, ports, Kafka pods, the
 * keeper's ConfigMap, and log events (`.msg == "…"`) the code really writes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLogger } from '@stableyield/observability';
import { APPS, APP_NAMESPACE, DATA_NAMESPACE, MONITORING_NAMESPACE } from '../src/catalog';
import { appManifests } from '../src/manifests';
import { repoPath } from '../src/paths';
import { podTemplates } from '../src/yaml-docs';

const RUNBOOK_BASE = 'https://github.com/stableyield/stableyield/blob/main/docs/runbooks.md';
const text = readFileSync(repoPath('docs/runbooks.md'), 'utf8');

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}
const alertRules = (): Required<Rule>[] =>
  (
    parse(readFileSync(repoPath('monitoring/rules/stableyield.rules.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
  ).groups
    .flatMap((g) => g.rules)
    .filter((r): r is Required<Rule> => r.alert !== undefined);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
const headings = (level: number): string[] =>
  [...text.matchAll(new RegExp(`^${'#'.repeat(level)} (.+)$`, 'gm'))].map((m) => m[1]!);

/** The part of the runbook between a level-2 heading and the next one. */
function part(title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/runbooks.md has no "## ${title}"`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

const alertSections = (): string[] => [...part('Alerts').matchAll(/^### (.+)$/gm)].map((m) => m[1]!);

describe('docs/runbooks.md', () => {
  it('has one section per alert, and no section for an alert that does not exist', () => {
    const alerts = [...new Set(alertRules().map((r) => r.alert))].sort();
    expect(alerts.length).toBeGreaterThan(15);
    expect([...alertSections()].sort()).toEqual(alerts);
  });

  it.each(alertRules().map((r) => [r.alert, r.annotations.runbook_url]))('%s links its section: %s', (alert, url) => {
    expect(url).toBe(`${RUNBOOK_BASE}#${anchor(alert)}`);
    expect(headings(3).map(anchor)).toContain(url!.split('#')[1]);
  });

  it('has every link inside the page land on a heading', () => {
    const anchors = new Set([...headings(2), ...headings(3)].map(anchor));
    const links = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((l) => !anchors.has(l))).toEqual([]);
  });

  it.each([
    ['Force an oracle update', ['SIGUSR1', 'process.kill(1, "SIGUSR1")']],
    ["Change the keeper's debounce profile", ['DEBOUNCE_MS', 'configmap keeper-config']],
    ['Rotate the keeper key or RPC URL', ['create secret generic keeper-secrets', '--from-file=private-key=']],
    ['Rotate client API keys', ['api-keys -- create', 'api-keys -- revoke']],
    ['Drain and restore a broker', ['--under-replicated-partitions', 'kubectl drain', 'kubectl uncordon']],
  ])('shows the operation "%s"', (title, parts) => {
    const start = text.indexOf(`\n### ${title}\n`);
    expect(start).toBeGreaterThan(text.indexOf('\n## Operations\n'));
    const section = text.slice(
      start,
      text.indexOf('\n### ', start + 1) > 0 ? text.indexOf('\n### ', start + 1) : undefined,
    );
    for (const p of parts)
      expect({ title, has: p, found: section.includes(p) }).toEqual({ title, has: p, found: true });
  });
});

describe('the commands of docs/runbooks.md use our names', () => {
  // The apps, and the monitoring Deployments of k8s/base/monitoring.
  const apps = new Set([...APPS.map((a) => a.name), 'prometheus', 'alertmanager', 'grafana']);
  const placeholder = (name: string): boolean => /^<[a-z]+>$/.test(name);

  it('names only apps that exist (deploy/, deployment/, the name label)', () => {
    // Not libs/deployment/…: a path in this repository, not a Deployment.
    const names = [
      ...text.matchAll(/(?<![\w/])(?:deploy|deployment)\/([a-z<>-]+)|app\.kubernetes\.io\/name=([a-z<>-]+)/g),
    ].map((m) => m[1] ?? m[2]!);
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => !apps.has(n) && !placeholder(n))).toEqual([]);
  });

  it("reads logs from the apps' container, which is named app", () => {
    const containers = new Set(
      APPS.flatMap((a) => podTemplates(appManifests(a)).flatMap((p) => p.podSpec.containers.map((c) => c.name))),
    );
    expect([...containers]).toEqual(['app']);
    for (const line of text.split('\n').filter((l) => / logs (deploy\/|-l )/.test(l)))
      expect({ line, container: line.includes(' -c app') }).toEqual({ line, container: true });
  });

  it('uses only our namespaces', () => {
    const namespaces = new Set([...text.matchAll(/ -n ([a-z-]+)/g)].map((m) => m[1]!));
    expect([...namespaces].filter((n) => ![APP_NAMESPACE, DATA_NAMESPACE, MONITORING_NAMESPACE].includes(n))).toEqual(
      [],
    );
  });

  it('port-forwards each app at its health port', () => {
    const forwards = [...text.matchAll(/port-forward deploy\/([a-z-]+) (\d+)/g)];
    expect(forwards.length).toBeGreaterThan(3);
    for (const [, app, port] of forwards)
      expect({ app, port: Number(port) }).toEqual({ app, port: APPS.find((a) => a.name === app)!.healthPort });
  });

  it("execs into Strimzi's broker pods of the Kafka cluster and pool k8s/base/data declares, container kafka", () => {
    const kafka = readFileSync(repoPath('k8s/base/data/kafka.yaml'), 'utf8');
    const cluster = /kind: Kafka\nmetadata:\n {2}name: ([a-z-]+)/.exec(kafka)?.[1];
    const pool = /kind: KafkaNodePool\nmetadata:\n {2}name: ([a-z-]+)/.exec(kafka)?.[1];
    const pods = [...text.matchAll(/stableyield-[a-z]+-\d/g)].map((m) => m[0]);
    expect(pods.length).toBeGreaterThan(3);
    for (const pod of pods) expect(pod).toMatch(new RegExp(`^${String(cluster)}-${String(pool)}-[0-2]$`));
    for (const line of text.split('\n').filter((l) => l.includes('exec stableyield-')))
      expect(line).toContain(' -c kafka ');
    // localhost:9094 is the listener without SCRAM (the registry's).
    expect(kafka).toMatch(/name: registry\n\s+port: 9094/);
  });

  it("patches the keeper's ConfigMap of that name", () => {
    expect(
      appManifests(APPS.find((a) => a.name === 'keeper')!).some(
        (m) => m.kind === 'ConfigMap' && m.metadata.name === 'keeper-config',
      ),
    ).toBe(true);
  });

  it('filters logs on events the code writes', () => {
    const events = [...new Set([...text.matchAll(/\.msg == "([a-z_]+)"/g)].map((m) => m[1]!))];
    expect(events.length).toBeGreaterThan(8);
    const source = sourceText();
    expect(events.filter((e) => !source.includes(`'${e}'`))).toEqual([]);
  });
});

describe("the jq filters of docs/runbooks.md, on lines the apps' logger writes", () => {
  /** Every jq filter that reads log lines (by msg, level or time). */
  const filters = [...text.matchAll(/jq (?:(-[cr]) )?'([^']+)'/g)]
    .map((m) => ({ flags: m[1] !== undefined ? [m[1]] : [], filter: m[2]! }))
    .filter((f) => /\.(msg|level|time)\b/.test(f.filter));

  it('are many', () => {
    expect(filters.length).toBeGreaterThan(10);
  });

  it.each(filters.map((f) => [f.filter, f] as const))('%s parses and selects what it names', (_name, f) => {
    const lines: string[] = [];
    const logger = createLogger({
      app: 'runbook-test',
      level: 'info',
      destination: {
        write: (line: string) => {
          lines.push(line);
        },
      },
    });
    logger.info({ step: 1 }, 'routine_progress');
    logger.warn({ err: new Error('slow') }, 'something_warned');
    logger.error({ err: new Error('broken') }, 'something_failed');
    const events = [...f.filter.matchAll(/\.msg == "([a-z_]+)"/g)].map((m) => m[1]!);
    for (const e of events) logger.info({ kind: 'nonce', error: 'x' }, e);
    // A time window: the lines are moved into it (the logger writes ISO 8601 times).
    const from = /\.time >= "([^"]+)"/.exec(f.filter)?.[1];
    const input = lines
      .map((l) =>
        from === undefined ? l : JSON.stringify({ ...(JSON.parse(l) as object), time: `${from}.500Z` }) + '\n',
      )
      .join('');
    const r = spawnSync('jq', [...f.flags, f.filter], { input, encoding: 'utf8' });
    if (r.error) throw new Error(`jq is not installed (scripts/test-all.sh installs it): ${r.error.message}`);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const out = r.stdout;
    expect(out.trim().length).toBeGreaterThan(0);
    if (/\.level/.test(f.filter)) {
      expect(out).not.toContain('routine_progress');
      expect(out).toContain('something_failed');
      if (f.filter.includes('"warn"')) expect(out).toContain('something_warned');
    }
    // What follows the select(…): a projection without msg (e.g. `| .kind`) prints no event name.
    const projection = afterSelect(f.filter);
    if (projection === '' || projection.includes('msg')) for (const e of events) expect(out).toContain(e);
    else expect(out.trim().split('\n')).toHaveLength(events.length);
  });
});

/** The part of a jq filter after its leading `select(…)` (parentheses matched). */
function afterSelect(filter: string): string {
  if (!filter.startsWith('select(')) return filter;
  let depth = 0;
  for (let i = 'select'.length; i < filter.length; i++) {
    if (filter[i] === '(') depth++;
    else if (filter[i] === ')' && --depth === 0) return filter.slice(i + 1).trim();
  }
  throw new Error(`unbalanced: ${filter}`);
}

/** The product code of apps/ and libs/ (not tests), as one string. */
function sourceText(): string {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) out.push(readFileSync(path, 'utf8'));
    }
  };
  walk(repoPath('apps'));
  walk(repoPath('libs'));
  return out.join('\n');
}
