/** docker-compose.yml, validated statically (no Docker here): images, ports, dependencies, topics. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { APPS, TOPICS, appByName, entrypoint } from '../src/catalog';
import { repoPath } from '../src/paths';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  ports?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  volumes?: string[];
  secrets?: string[];
}

const compose = parse(readFileSync(repoPath('docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets?: Record<string, { environment?: string; file?: string }>;
};
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const dependencies = (s: Service): Record<string, string> => {
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
};
/** Published ports are `${BIND_ADDRESS:-127.0.0.1}:host:container`: loopback unless asked. */
const BIND = '${BIND_ADDRESS:-127.0.0.1}:';
const unbound = (s: Service): string[] => (s.ports ?? []).map((p) => (p.startsWith(BIND) ? p.slice(BIND.length) : p));
const hostPorts = (s: Service): number[] => unbound(s).map((p) => Number(p.split(':')[0]));

const INFRASTRUCTURE: Record<string, string[]> = {
  kafka: ['9092:9092'],
  'schema-registry': ['8081:8080'],
  timescaledb: ['55432:5432'],
  clickhouse: ['8123:8123', '9000:9000'],
  anvil: ['8545:8545'],
  prometheus: ['9091:9090'],
  alertmanager: ['9095:9093'],
  grafana: ['3001:3000'],
};

describe('docker-compose.yml', () => {
  it('runs the infrastructure and every app', () => {
    const expected = [...Object.keys(INFRASTRUCTURE), 'kafka-init', ...APPS.map((a) => a.name)].sort();
    expect(Object.keys(services).sort()).toEqual(expected);
  });

  it.each(Object.keys(services))('%s has a pinned image (apps: the one built from the Dockerfile)', (name) => {
    const s = service(name);
    expect(s.image).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
    // No floating tag: not latest, nor latest-pg17 and the like.
    expect(s.image).not.toMatch(/:(.*-)?latest(-.*)?$/);
    if (APPS.some((a) => a.name === name)) {
      expect(s).toMatchObject({ image: 'stableyield:local', build: '.' });
    }
  });

  it(
    'publishes the ports of docs/ports.md: infrastructure, Prometheus on 9091, Alertmanager on ' +
      '9095, Grafana on 3001',
    () => {
      for (const [name, ports] of Object.entries(INFRASTRUCTURE))
        expect({ name, ports: unbound(service(name)) }).toEqual({ name, ports });
      const all = Object.values(services).flatMap(hostPorts);
      expect(new Set(all).size).toBe(all.length);
    },
  );

  it.each(APPS.map((a) => a.name))(
    'runs %s from its bundle, as UID 1001, read-only, on its documented ports',
    (name) => {
      const app = appByName(name);
      const s = service(name);
      expect(s.command).toEqual([entrypoint(app)]);
      expect(s).toMatchObject({
        user: '1001:1001',
        read_only: true,
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
      });
      const localHealthPort = name === 'keeper' ? 9207 : app.healthPort;
      const expected = [
        ...(app.mainPort !== undefined ? [`${String(app.mainPort)}:${String(app.mainPort)}`] : []),
        `${String(localHealthPort)}:${String(app.healthPort)}`,
      ];
      expect(unbound(s)).toEqual(expected);
      expect(s.environment?.[app.healthPortVar]).toBe(String(app.healthPort));
    },
  );

  it('starts each service after what it needs, waiting for health where it can be checked', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependencies(s))) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy')
          expect({ dep, healthcheck: service(dep).healthcheck !== undefined }).toEqual({ dep, healthcheck: true });
      }
    }
    for (const app of APPS.filter((a) => a.stores.includes('kafka'))) {
      expect(dependencies(service(app.name))).toMatchObject({
        'kafka-init': 'service_completed_successfully',
        'schema-registry': 'service_healthy',
      });
      expect(service(app.name).environment).toMatchObject({
        KAFKA_BROKERS: 'kafka:19092',
        SCHEMA_REGISTRY_URL: 'http://schema-registry:8080/apis/ccompat/v7',
      });
    }
    expect(dependencies(service('sink-timescale'))).toMatchObject({ timescaledb: 'service_healthy' });
    expect(dependencies(service('api'))).toMatchObject({ timescaledb: 'service_healthy' });
    expect(dependencies(service('sink-clickhouse'))).toMatchObject({ clickhouse: 'service_healthy' });
    expect(dependencies(service('keeper'))).toMatchObject({ anvil: 'service_started' });
    expect(dependencies(service('ingest-hermes'))).toMatchObject({ 'market-sim': 'service_started' });
    expect(dependencies(service('kafka-init'))).toEqual({ kafka: 'service_healthy' });
    expect(dependencies(service('grafana'))).toEqual({ prometheus: 'service_started' });
  });

  it(
    "gives every app on Kafka the deployment identity of .env (DEPLOYMENT_ID: the processors' " + 'transactional ids)',
    () => {
      for (const app of APPS.filter((a) => services[a.name]?.environment?.KAFKA_BROKERS !== undefined))
        expect({ app: app.name, id: service(app.name).environment?.DEPLOYMENT_ID }).toEqual({
          app: app.name,
          id: '${DEPLOYMENT_ID:-compose}',
        });
      expect(readFileSync(repoPath('.env.example'), 'utf8')).toMatch(/^DEPLOYMENT_ID=compose$/m);
    },
  );

  it('has no dependency cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`dependency cycle: ${[...path, name].join(' → ')}`);
      visiting.add(name);
      for (const dep of Object.keys(dependencies(service(name)))) visit(dep, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
    expect(done.size).toBe(Object.keys(services).length);
  });

  it('publishes every port on 127.0.0.1 unless BIND_ADDRESS says otherwise', () => {
    const ports = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(15);
    for (const port of ports) expect(port.startsWith(BIND)).toBe(true);
  });

  it('runs Prometheus without the lifecycle API (POST /-/quit)', () => {
    const command = service('prometheus').command as string[];
    expect(command).toContain('--storage.tsdb.path=/prometheus');
    expect(command).not.toContain('--web.enable-lifecycle');
  });

  it('takes every credential from .env, never from the file', () => {
    const secretName = /(PASSWORD|SECRET|TOKEN|PRIVATE|API_KEY|DATABASE_URL)/;
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (secretName.test(key) && !key.endsWith('_FILE'))
          expect({ name, key, value }).toEqual({
            name,
            key,
            value: expect.stringMatching(/\$\{[A-Z_]+(:[?-][^}]*)?\}/) as unknown,
          });
      }
    }
  });

  it('gives the keeper its private key and RPC URL as secret files, not environment', () => {
    const keeper = service('keeper');
    expect(keeper.environment).toMatchObject({
      PRIVATE_KEY_FILE: '/run/secrets/keeper_private_key',
      RPC_URL_FILE: '/run/secrets/keeper_rpc_url',
    });
    expect(Object.keys(keeper.environment ?? {})).not.toContain('PRIVATE_KEY');
    expect(Object.keys(keeper.environment ?? {})).not.toContain('RPC_URL');
    expect(keeper.secrets?.sort()).toEqual(['keeper_private_key', 'keeper_rpc_url']);
    expect(compose.secrets).toMatchObject({
      keeper_private_key: { environment: 'KEEPER_PRIVATE_KEY' },
      keeper_rpc_url: { environment: 'KEEPER_RPC_URL' },
    });
  });

  it('creates every catalog topic and dead-letter topic with the catalog settings', () => {
    const script = (service('kafka-init').command as string[]).join('\n');
    for (const t of TOPICS) {
      expect(script).toContain(
        `create ${t.name} ${String(t.partitions)} ${t.cleanupPolicy} $$((${String(t.retentionDays)} * day))`,
      );
    }
    const dlqLoop = /for t in ([^;]+); do create "\$\$t\.dlq" 1 delete \$\$\(\(30 \* day\)\)/.exec(script);
    expect(dlqLoop?.[1]?.trim().split(/\s+/).sort()).toEqual(TOPICS.map((t) => t.name).sort());
  });

  it('gives Prometheus the compose configuration and Grafana the provisioning and dashboards', () => {
    expect(service('prometheus').command).toContain('--config.file=/etc/prometheus/prometheus.compose.yml');
    expect(service('prometheus').volumes).toContain('./monitoring:/etc/prometheus:ro');
    expect(service('grafana').volumes).toEqual(
      expect.arrayContaining(['./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro']),
    );
  });
});
