/** Renders the Kubernetes manifests (kustomize, helm) and validates them with kubeconform. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { crdSchemaLocation, writeCrdSchemas } from '../src/crd-schema';
import type { Manifest } from '../src/manifests';
import { repoPath } from '../src/paths';
import { parseManifests } from '../src/yaml-docs';
import { CRD_DIR, SCHEMA_DIR, requireFile, run, runOk } from './tools';

const rendered = new Map<string, string>();

/** `kustomize build` of a folder under k8s/ (base, overlays/dev, overlays/prod). */
export function kustomizeBuild(dir: string): string {
  const key = `kustomize:${dir}`;
  let out = rendered.get(key);
  if (out === undefined) {
    out = runOk('kustomize', ['build', repoPath('k8s', dir)]);
    rendered.set(key, out);
  }
  return out;
}

export function helmTemplate(extraArgs: readonly string[] = []): string {
  const key = `helm:${extraArgs.join(' ')}`;
  let out = rendered.get(key);
  if (out === undefined) {
    out = runOk('helm', ['template', 'stableyield', repoPath('helm/stableyield'), '--namespace', 'stableyield', ...extraArgs]);
    rendered.set(key, out);
  }
  return out;
}

export const manifestsOf = (yamlText: string): Manifest[] => parseManifests(yamlText);

/**
 * Kinds validated by no schema, and why. Strimzi publishes its CRDs only with its GitHub
 * releases and container images, none of which the registries we reach carry; the Strimzi
 * resources are instead checked field by field in kubernetes.test.ts (topics against the
 * catalog, the cluster's KRaft node pool and replication settings).
 */
export const SKIPPED_KINDS: Readonly<Record<string, string>> = {
  Kafka: 'Strimzi CRD not obtainable from a package registry',
  KafkaNodePool: 'Strimzi CRD not obtainable from a package registry',
  KafkaTopic: 'Strimzi CRD not obtainable from a package registry',
};

let crdSchemaDir: string | undefined;

/** JSON schemas of the CRDs we can obtain (CloudNativePG's Cluster), converted once per run. */
function crdSchemas(): string {
  if (crdSchemaDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'crd-schemas-'));
    const crd = parse(readFileSync(requireFile(join(CRD_DIR, 'postgresql.cnpg.io_clusters.yaml')), 'utf8')) as Parameters<typeof writeCrdSchemas>[0];
    writeCrdSchemas(crd, dir);
    crdSchemaDir = dir;
  }
  return crdSchemaDir;
}

export interface KubeconformResult {
  readonly status: number | null;
  readonly output: string;
  readonly summary: { valid: number; invalid: number; errors: number; skipped: number };
}

/** kubeconform -strict against the Kubernetes 1.32 schemas and the CRD schemas. */
export function kubeconform(yamlText: string): KubeconformResult {
  requireFile(join(SCHEMA_DIR, 'deployment-apps-v1.json'));
  const dir = mkdtempSync(join(tmpdir(), 'kubeconform-'));
  const file = join(dir, 'manifests.yaml');
  writeFileSync(file, yamlText);
  const r = run('kubeconform', [
    '-strict',
    '-summary',
    '-output', 'json',
    '-schema-location', `${SCHEMA_DIR}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-schema-location', crdSchemaLocation(crdSchemas()),
    '-skip', Object.keys(SKIPPED_KINDS).join(','),
    file,
  ]);
  const report = JSON.parse(r.stdout) as { summary: KubeconformResult['summary'] };
  return { status: r.status, output: r.stdout + r.stderr, summary: report.summary };
}
