/** The Helm chart: lint clean, valid output, and the same app objects as the kustomize base. */
import { APPS } from '../src/catalog';
import type { Manifest } from '../src/manifests';
import { repoPath } from '../src/paths';
import { byKind, find, podTemplates } from '../src/yaml-docs';
import { SKIPPED_KINDS, helmTemplate, kubeconform, kustomizeBuild, manifestsOf } from './render';
import { TOOL_TIMEOUT, run } from './tools';

const HELM_LABELS = ['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'helm.sh/chart'];

/** Drops what only Helm adds (release labels, config checksum) and the namespace. */
function normalise(m: Manifest): unknown {
  const copy = JSON.parse(JSON.stringify(m)) as Manifest;
  const strip = (meta: Record<string, unknown> | undefined): void => {
    if (!meta) return;
    const labels = meta.labels as Record<string, string> | undefined;
    for (const l of HELM_LABELS) if (labels) delete labels[l];
    const annotations = meta.annotations as Record<string, string> | undefined;
    if (annotations) delete annotations['checksum/config'];
    delete meta.namespace;
  };
  strip(copy.metadata);
  const template = (copy.spec as { template?: { metadata?: Record<string, unknown> } } | undefined)?.template;
  strip(template?.metadata);
  return copy;
}

const key = (m: Manifest): string => `${m.kind}/${m.metadata.name}`;

describe('helm/stableyield', () => {
  it(
    'passes helm lint --strict without warnings',
    () => {
      const r = run('helm', ['lint', '--strict', repoPath('helm/stableyield')]);
      if (r.status !== 0) throw new Error(r.stdout + r.stderr);
      expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    },
    TOOL_TIMEOUT,
  );

  it.each([
    ['defaults', []],
    [
      'every app with ingress',
      [
        '--set',
        'apps.market-sim.enabled=true',
        '--set',
        'ingress.enabled=true',
        '--set',
        'ingress.tlsSecretName=stableyield-tls',
      ],
    ],
  ])(
    'renders valid Kubernetes objects (%s)',
    (_name, args) => {
      const yamlText = helmTemplate(args);
      const result = kubeconform(yamlText);
      if (result.status !== 0) throw new Error(result.output);
      const manifests = manifestsOf(yamlText);
      expect(result.summary).toEqual({ valid: manifests.length, invalid: 0, errors: 0, skipped: 0 });
      expect(manifests.filter((m) => m.kind in SKIPPED_KINDS)).toEqual([]);
    },
    TOOL_TIMEOUT,
  );

  it(
    'installs the same app objects as the kustomize base',
    () => {
      const fromHelm = manifestsOf(helmTemplate());
      const fromKustomize = manifestsOf(kustomizeBuild('base')).filter((m) => m.metadata.namespace === 'stableyield');
      expect(fromHelm.map(key).sort()).toEqual(fromKustomize.map(key).sort());
      for (const m of fromKustomize) {
        const h = fromHelm.find((x) => key(x) === key(m));
        expect({ object: key(m), manifest: normalise(h!) }).toEqual({ object: key(m), manifest: normalise(m) });
      }
    },
    TOOL_TIMEOUT,
  );

  it(
    'takes image, replicas, autoscaling and ingress from values',
    () => {
      const out = manifestsOf(
        helmTemplate([
          '--set',
          'image.tag=9.9.9',
          '--set',
          'apps.api.replicas=5',
          '--set',
          'apps.api.autoscaling.enabled=false',
          '--set',
          'ingress.enabled=true',
          '--set',
          'ingress.host=syi.example.org',
        ]),
      );
      const api = find(out, 'Deployment', 'api');
      expect((api.spec as { replicas: number }).replicas).toBe(5);
      expect(podTemplates([api])[0]!.podSpec.containers[0]!.image).toBe('ghcr.io/stableyield/stableyield:9.9.9');
      expect(byKind(out, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).not.toContain('api');
      expect(JSON.stringify(find(out, 'Ingress', 'stableyield'))).toContain('syi.example.org');
    },
    TOOL_TIMEOUT,
  );

  it(
    "names every app's deployment by its namespace (DEPLOYMENT_ID: the processors' " +
      'transactional ids), in Helm and kustomize alike',
    () => {
      for (const manifests of [manifestsOf(helmTemplate()), manifestsOf(kustomizeBuild('base'))]) {
        const apps = podTemplates(
          byKind(manifests, 'Deployment').filter((d) => APPS.some((a) => a.name === d.metadata.name)),
        );
        expect(apps.length).toBeGreaterThan(0);
        for (const { manifest, podSpec } of apps) {
          const env = (podSpec.containers[0] as { env?: unknown[] }).env ?? [];
          expect({
            app: manifest.metadata.name,
            env: env.filter((e) => (e as { name: string }).name === 'DEPLOYMENT_ID'),
          }).toEqual({
            app: manifest.metadata.name,
            env: [{ name: 'DEPLOYMENT_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
          });
        }
      }
    },
    TOOL_TIMEOUT,
  );

  it(
    'leaves the market-sim test double out unless enabled',
    () => {
      const names = byKind(manifestsOf(helmTemplate()), 'Deployment')
        .map((d) => d.metadata.name)
        .sort();
      expect(names).toEqual(
        APPS.filter((a) => a.devOnly !== true)
          .map((a) => a.name)
          .sort(),
      );
    },
    TOOL_TIMEOUT,
  );
});
