/**
 * An alert that really arrives: one app of apps/ runs (its real main.ts), a Prometheus of the
 * stack's installation scrapes it and evaluates the shipped rules (monitoring/rules, every `for:`
 * capped at 3 s: alert-test-variant.ts), and sends to a real Alertmanager with the shipped routing
 * (alertmanager-config.ts, 1 s grouping waits) whose every receiver carries a webhook this test
 * serves. The app is stopped: AppDown for its job arrives at the webhook through the `warning`
 * receiver; the app is started again: the same alert arrives resolved.
 * No processor-syi runs, so SYIStale (critical, `absent(...)`) fires: it arrives through the
 * `critical` receiver, and it inhibits SYIVerificationLagging, which a stand-in auditor target
 * (its lag raised to 1000 s once SYIStale is in) makes fire: Alertmanager holds that one suppressed,
 * the webhook never sees it.
 *
 * Prometheus and Alertmanager are private instances on free ports and temporary folders (the
 * stack's own keep their intervals and are not touched); the binaries are the ones the stack
 * installs (scripts/stack/components/prometheus.sh, alertmanager.sh).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@stableyield/chain/testing';
import { alertmanagerConfig } from './alertmanager-config';
import { FAST_TIMING, fastPrometheusConfig, fastRulesVariant } from './alert-test-variant';
import { REPO_ROOT, repoPath } from './paths';

const APP = 'market-sim';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface WebhookMessage {
  receiver: string;
  status: string;
  alerts: WebhookAlert[];
}

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  output: string;
}
const procs: Proc[] = [];
let dir: string;
let webhook: Server;
const received: WebhookMessage[] = [];
let ports: {
  prometheus: number;
  alertmanager: number;
  webhook: number;
  app: number;
  appHealth: number;
  auditor: number;
};
let auditor: Server;
/** What the stand-in auditor reports: 0 until the test turns the lag on. */
let verificationLagSeconds = 0;

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { name, child, output: '' };
  const keep = (d: Buffer) => {
    proc.output = (proc.output + d.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  procs.push(proc);
  return proc;
}

const alive = (p: Proc): boolean => p.child.exitCode === null && p.child.signalCode === null;

async function stop(p: Proc): Promise<void> {
  if (!alive(p)) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited,
    new Promise<void>((r) => {
      timer = setTimeout(r, 10_000);
    }),
  ]);
  clearTimeout(timer);
  if (alive(p)) p.child.kill('SIGKILL');
}

/** Polls until `check` returns a value, failing with every process's output when the time is up. */
async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const crashed = procs.find((p) => !alive(p) && p.name !== APP);
    if (crashed) throw new Error(`${crashed.name} exited while waiting for ${what}:\n${crashed.output}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}; webhook received ${JSON.stringify(received)}\n` +
          procs.map((p) => `--- ${p.name}\n${p.output}`).join('\n'),
      );
    }
    await sleep(250);
  }
}

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

function startApp(): Proc {
  return start(APP, process.execPath, ['--import', 'tsx', repoPath('apps', APP, 'src', 'main.ts')], {
    ...process.env,
    LOG_LEVEL: 'warn',
    HEALTH_HOST: '127.0.0.1',
    MARKET_SIM_HOST: '127.0.0.1',
    MARKET_SIM_PORT: String(ports.app),
    MARKET_SIM_HEALTH_PORT: String(ports.appHealth),
  });
}

/** An alert in a webhook message with the given status, and the receiver it came through. */
function arrived(
  alertname: string,
  status: WebhookAlert['status'],
  job?: string,
): { receiver: string; alert: WebhookAlert } | undefined {
  for (const m of received) {
    const alert = m.alerts.find(
      (a) => a.labels.alertname === alertname && (job === undefined || a.labels.job === job) && a.status === status,
    );
    if (alert) return { receiver: m.receiver, alert };
  }
  return undefined;
}
const appDown = (status: WebhookAlert['status']) => arrived('AppDown', status, APP);

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}
async function alertmanagerAlerts(alertname: string): Promise<AmAlert[]> {
  const res = await fetch(
    `http://127.0.0.1:${ports.alertmanager}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`,
  );
  return (await res.json()) as AmAlert[];
}

/** `up` of the app's job in our Prometheus: 1, 0, or undefined before the first scrape. */
async function up(): Promise<number | undefined> {
  try {
    const res = await fetch(
      `http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent(`up{job="${APP}"}`)}`,
    );
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    const v = body.data.result[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  const found = new Set<number>();
  while (found.size < 6) found.add(await freePort());
  const [prometheus, alertmanager, hook, app, appHealth, auditorPort] = [...found] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  ports = { prometheus, alertmanager, webhook: hook, app, appHealth, auditor: auditorPort };
  dir = mkdtempSync(join(tmpdir(), 'alert-arrival-'));

  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(body) as WebhookMessage);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => webhook.listen(ports.webhook, '127.0.0.1', r));
  // Stand-in for the auditor's /metrics: its verification lag (above 300 s: SYIVerificationLagging's condition).
  auditor = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(`# TYPE syi_verification_lag_seconds gauge\nsyi_verification_lag_seconds ${verificationLagSeconds}\n`);
  });
  await new Promise<void>((r) => auditor.listen(ports.auditor, '127.0.0.1', r));

  const amConfig = join(dir, 'alertmanager.yml');
  writeFileSync(
    amConfig,
    alertmanagerConfig('local', { webhookUrl: `http://127.0.0.1:${ports.webhook}/alerts` }, FAST_TIMING),
  );
  const check = spawnSync('amtool', ['check-config', amConfig], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`amtool check-config ${amConfig}: ${check.stdout}${check.stderr}`);
  start('alertmanager', 'prometheus-alertmanager', [
    `--config.file=${amConfig}`,
    `--storage.path=${join(dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
    '--cluster.listen-address=',
  ]);

  const rules = join(dir, 'rules.yml');
  writeFileSync(
    rules,
    fastRulesVariant(readFileSync(repoPath('monitoring/rules/stableyield.rules.yml'), 'utf8'), '3s'),
  );
  const promConfig = join(dir, 'prometheus.yml');
  writeFileSync(
    promConfig,
    fastPrometheusConfig({
      interval: '1s',
      rulesFile: rules,
      alertmanager: `127.0.0.1:${ports.alertmanager}`,
      jobs: [
        { name: APP, target: `127.0.0.1:${ports.appHealth}` },
        { name: 'auditor', target: `127.0.0.1:${ports.auditor}` },
      ],
    }),
  );
  start('prometheus', 'prometheus', [
    `--config.file=${promConfig}`,
    `--storage.tsdb.path=${join(dir, 'prom-data')}`,
    `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    // Alerts that fire before the notifier knows the Alertmanager (its first seconds) are dropped
    // and sent again only after this delay (1 m by default): short, like the rest of the variant.
    '--rules.alert.resend-delay=2s',
  ]);

  startApp();
  await waitFor(
    'Alertmanager, Prometheus and the app to be ready',
    60_000,
    async () =>
      ((await ok(`http://127.0.0.1:${ports.alertmanager}/-/ready`)) &&
        (await ok(`http://127.0.0.1:${ports.prometheus}/-/ready`)) &&
        (await ok(`http://127.0.0.1:${ports.appHealth}/metrics`))) ||
      undefined,
  );
}, 90_000);

afterAll(async () => {
  for (const p of [...procs].reverse()) await stop(p);
  await new Promise<void>((r) => webhook?.close(() => r()));
  await new Promise<void>((r) => auditor?.close(() => r()));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('an alert that really arrives', () => {
  it('pages a critical alert through the critical receiver and holds back what it inhibits', async () => {
    const stale = await waitFor('SYIStale firing at the webhook', 45_000, () => arrived('SYIStale', 'firing'));
    expect(stale.receiver).toBe('critical');
    expect(stale.alert.labels.severity).toBe('critical');
    // Now the consequence: the auditor falls behind while the index is stale.
    verificationLagSeconds = 1000;
    const suppressed = await waitFor('SYIVerificationLagging held suppressed by Alertmanager', 45_000, async () => {
      const alerts = await alertmanagerAlerts('SYIVerificationLagging');
      return alerts.find((a) => a.status.state === 'suppressed' && a.status.inhibitedBy.length > 0);
    });
    expect(suppressed.labels).toMatchObject({ alertname: 'SYIVerificationLagging', severity: 'warning' });
    await sleep(3_000); // past group_wait (1 s) and group_interval (2 s): it would have been sent by now
    expect(received.flatMap((m) => m.alerts.map((a) => a.labels.alertname))).not.toContain('SYIVerificationLagging');
  }, 120_000);

  it('AppDown reaches the webhook through Alertmanager when the app stops, and resolves when it is back', async () => {
    if (!procs.some((p) => p.name === APP && alive(p))) startApp(); // a retry finds the app stopped
    await waitFor(`Prometheus to scrape ${APP} as up`, 60_000, async () => ((await up()) === 1 ? true : undefined));
    received.length = 0;
    await sleep(2_000);
    expect(appDown('firing')).toBeUndefined();

    await stop(procs.find((p) => p.name === APP && alive(p))!);
    const firing = await waitFor('AppDown firing at the webhook', 45_000, () => appDown('firing'));
    expect(firing.receiver).toBe('warning');
    expect(firing.alert.labels).toMatchObject({
      alertname: 'AppDown',
      job: APP,
      severity: 'warning',
      instance: `127.0.0.1:${ports.appHealth}`,
    });
    expect(firing.alert.annotations.summary).toContain(APP);
    expect(appDown('resolved')).toBeUndefined();

    startApp();
    const resolved = await waitFor('AppDown resolved at the webhook', 60_000, () => appDown('resolved'));
    expect(resolved.receiver).toBe('warning');
    expect(resolved.alert.labels).toMatchObject({ alertname: 'AppDown', job: APP });
    expect(await up()).toBe(1);
  }, 150_000);
});
