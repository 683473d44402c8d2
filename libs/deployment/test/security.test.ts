/**
 * Nothing runs as root, nothing can escalate, root filesystems are read-only, and no secret
 * value is in the repository or in a rendered manifest: only references to Secrets.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RUN_AS_USER, SECRET_MOUNT_PATH } from '../src/catalog';
import type { Manifest } from '../src/manifests';
import { REPO_ROOT, repoPath } from '../src/paths';
import { podTemplates, type Container } from '../src/yaml-docs';
import { helmTemplate, kustomizeBuild, manifestsOf } from './render';
import { TOOL_TIMEOUT } from './tools';

const RENDERINGS: Record<string, () => string> = {
  'kustomize overlays/dev': () => kustomizeBuild('overlays/dev'),
  'kustomize overlays/prod': () => kustomizeBuild('overlays/prod'),
  'helm template (defaults)': () => helmTemplate(),
  'helm template (every app, ingress)': () =>
    helmTemplate(['--set', 'apps.market-sim.enabled=true', '--set', 'ingress.enabled=true']),
  'helm template (alertmanager)': () => helmTemplate(['--set', 'alertmanager.enabled=true']),
};

/** Variable names that carry credentials: they must come from a Secret. */
const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|PRIVATE|API_KEY|APIKEY|_KEYS?$|CREDENTIAL|DATABASE_URL|RPC_URL|_URI$)/;

function containersOf(podSpec: { containers: Container[]; initContainers?: Container[] }): Container[] {
  return [...podSpec.containers, ...(podSpec.initContainers ?? [])];
}

describe.each(Object.keys(RENDERINGS))('%s', (name) => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = manifestsOf(RENDERINGS[name]!());
  }, TOOL_TIMEOUT);

  it('runs every pod as a non-root user, our apps as UID 1001', () => {
    const pods = podTemplates(manifests);
    expect(pods.length).toBeGreaterThan(7);
    for (const { manifest, podSpec } of pods) {
      const where = `${manifest.kind}/${manifest.metadata.name}`;
      expect({ where, runAsNonRoot: podSpec.securityContext?.runAsNonRoot }).toEqual({ where, runAsNonRoot: true });
      expect(podSpec.securityContext?.runAsUser).toEqual(expect.any(Number));
      expect(podSpec.securityContext?.runAsUser).not.toBe(0);
      for (const c of containersOf(podSpec)) {
        if (c.image.startsWith('ghcr.io/stableyield/stableyield:')) {
          expect({
            where,
            uid: podSpec.securityContext?.runAsUser,
            containerUid: c.securityContext?.runAsUser,
          }).toEqual({ where, uid: RUN_AS_USER, containerUid: RUN_AS_USER });
        }
      }
    }
  });

  it('gives every container a read-only root, no privilege escalation and no capabilities', () => {
    for (const { manifest, podSpec } of podTemplates(manifests)) {
      for (const c of containersOf(podSpec)) {
        const where = `${manifest.kind}/${manifest.metadata.name}/${c.name}`;
        expect({ where, ...c.securityContext }).toMatchObject({
          where,
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext?.privileged).not.toBe(true);
      }
    }
  });

  it('contains no Secret and reads credentials only through secretKeyRef or a file mounted from a Secret', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    for (const { manifest, podSpec } of podTemplates(manifests)) {
      for (const c of containersOf(podSpec)) {
        for (const e of c.env ?? []) {
          const where = `${manifest.metadata.name}/${e.name}`;
          if (e.name.endsWith('_FILE')) {
            expect({ where, file: e.value?.startsWith(`${SECRET_MOUNT_PATH}/`) }).toEqual({ where, file: true });
          } else if (SECRET_NAME.test(e.name)) {
            expect({ where, value: e.value, ref: e.valueFrom?.secretKeyRef !== undefined }).toEqual({
              where,
              value: undefined,
              ref: true,
            });
          }
        }
      }
      // A volume holding Secret keys is mounted read-only wherever it is mounted.
      const secretVolumes = (podSpec.volumes ?? [])
        .filter((v) => v.secret !== undefined || v.projected !== undefined)
        .map((v) => v.name);
      for (const c of containersOf(podSpec)) {
        for (const m of (c.volumeMounts ?? []).filter((mount) => secretVolumes.includes(mount.name))) {
          expect({ where: `${manifest.metadata.name}/${m.name}`, readOnly: m.readOnly }).toEqual({
            where: `${manifest.metadata.name}/${m.name}`,
            readOnly: true,
          });
        }
      }
    }
    for (const cm of manifests.filter((m) => m.kind === 'ConfigMap')) {
      const keys = Object.keys(cm.data ?? {});
      expect({ configMap: cm.metadata.name, secretLike: keys.filter((k) => SECRET_NAME.test(k)) }).toEqual({
        configMap: cm.metadata.name,
        secretLike: [],
      });
    }
  });

  it("mounts the keeper's PRIVATE_KEY and RPC_URL as read-only files from keeper-secrets, not as environment", () => {
    const keeper = podTemplates(manifests).find(
      (p) => p.manifest.kind === 'Deployment' && p.manifest.metadata.name === 'keeper',
    );
    expect(keeper).toBeDefined();
    const container = keeper!.podSpec.containers[0]!;
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      PRIVATE_KEY_FILE: `${SECRET_MOUNT_PATH}/keeper-secrets/private-key`,
      RPC_URL_FILE: `${SECRET_MOUNT_PATH}/keeper-secrets/rpc-url`,
    });
    expect(Object.keys(env)).not.toContain('PRIVATE_KEY');
    expect(Object.keys(env)).not.toContain('RPC_URL');
    expect(container.volumeMounts).toContainEqual({ name: 'secrets', mountPath: SECRET_MOUNT_PATH, readOnly: true });
    const volume = (keeper!.podSpec.volumes ?? []).find((v) => v.name === 'secrets') as
      { projected?: { sources: { secret: { name: string; items: { key: string }[] } }[] } } | undefined;
    expect(volume?.projected?.sources.map((s) => [s.secret.name, s.secret.items.map((i) => i.key)])).toEqual(
      expect.arrayContaining([
        ['keeper-secrets', ['private-key']],
        ['keeper-secrets', ['rpc-url']],
      ]),
    );
  });
});

describe.each(['kustomize overlays/dev', 'kustomize overlays/prod'])('%s: Prometheus', (name) => {
  it(
    'has no lifecycle API (POST /-/quit, /-/reload) for any pod to call',
    () => {
      const pods = podTemplates(manifestsOf(RENDERINGS[name]!()));
      const prometheus = pods.find((p) => p.manifest.metadata.name === 'prometheus');
      expect(prometheus).toBeDefined();
      const args = prometheus!.podSpec.containers.flatMap((c) => (c as unknown as { args?: string[] }).args ?? []);
      expect(args).toContain('--config.file=/etc/prometheus/prometheus.yml');
      expect(args).not.toContain('--web.enable-lifecycle');
    },
    TOOL_TIMEOUT,
  );
});

describe.each(['kustomize overlays/prod', 'helm template (every app, ingress)'])('%s: the ingress', (name) => {
  it(
    'routes /stream through an Ingress without access log (browsers send ?api_key=), /api through another',
    () => {
      const ingresses = manifestsOf(RENDERINGS[name]!()).filter((m) => m.kind === 'Ingress');
      const paths = (m: Manifest): string[] =>
        (m.spec as { rules: { http: { paths: { path: string }[] } }[] }).rules.flatMap((r) =>
          r.http.paths.map((p) => p.path),
        );
      const stream = ingresses.filter((m) => paths(m).includes('/stream'));
      expect(stream).toHaveLength(1);
      expect(paths(stream[0]!)).toEqual(['/stream']);
      expect(
        (stream[0]!.metadata.annotations as Record<string, string>)['nginx.ingress.kubernetes.io/enable-access-log'],
      ).toBe('false');
      expect(ingresses.filter((m) => paths(m).includes('/api'))).toHaveLength(1);
    },
    TOOL_TIMEOUT,
  );
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the deployment files in the repository', () => {
  const files = [
    ...['k8s', 'helm', 'monitoring'].flatMap((d) => filesUnder(repoPath(d))),
    repoPath('docker-compose.yml'),
    repoPath('Dockerfile'),
    repoPath('deploy.sh'),
  ];

  it.each(files.map((f) => relative(REPO_ROOT, f)))(
    '%s holds no Secret manifest, private key or credential literal',
    (file) => {
      const text = readFileSync(repoPath(file), 'utf8');
      expect(text).not.toMatch(/^kind:\s*Secret\s*$/m);
      expect(text).not.toMatch(/0x[0-9a-fA-F]{64}/); // a private key
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text).not.toMatch(/(password|passwd|api[_-]?key|token)\s*[:=]\s*["']?[A-Za-z0-9+/_-]{12,}/i);
      expect(text).not.toMatch(/:\/\/[^/\s:@]+:[^@\s$]+@/); // credentials inside a URL (a ${VAR} reference is allowed)
    },
  );
});
