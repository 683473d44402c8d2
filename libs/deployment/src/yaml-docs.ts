import { parseAllDocuments, type Tags } from 'yaml';
import type { Manifest } from './manifests';

/**
 * Kubernetes decodes YAML with go-yaml v2, which reads a hexadecimal scalar too large for an
 * integer (a contract address such as 0x4305…c69C6, which kustomize prints unquoted) as a
 * string. The yaml package would make it a number, so its hexadecimal integers are dropped.
 */
const KUBERNETES_YAML = {
  customTags: (tags: Tags): Tags => tags.filter((t) => !(typeof t === 'object' && 'format' in t && t.format === 'HEX')),
};

/** Parses a multi-document YAML stream into objects (empty documents dropped). */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text, KUBERNETES_YAML)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as unknown;
    })
    .filter((m): m is Manifest => typeof m === 'object' && m !== null && 'kind' in m);
}

export interface PodTemplateOwner {
  readonly manifest: Manifest;
  readonly podSpec: PodSpec;
}

export interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    secret?: unknown;
    configMap?: unknown;
    projected?: unknown;
    emptyDir?: unknown;
    persistentVolumeClaim?: unknown;
  }[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet']);

/** Every object that runs pods, with its pod spec. */
export function podTemplates(manifests: readonly Manifest[]): PodTemplateOwner[] {
  return manifests
    .filter((m) => WORKLOADS.has(m.kind))
    .map((m) => ({
      manifest: m,
      podSpec: (m as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec,
    }));
}

export function byKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name}`);
  return m;
}
