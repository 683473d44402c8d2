/**
 * Turns a CustomResourceDefinition into the JSON schemas kubeconform reads, like kubeconform's
 * openapi2jsonschema.py: one file per served version, objects closed (strict), int-or-string
 * fields accepting both.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

interface Crd {
  spec: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: Json } }[] };
}

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Closes every object that lists its properties, unless it keeps unknown fields on purpose. */
export function strictSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = strictSchema(v);
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  const preserve = out['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(out.properties) && !preserve && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

/** Writes `<dir>/<group>/<kind>_<version>.json` for each version; returns the paths written. */
export function writeCrdSchemas(crd: Crd, dir: string): string[] {
  const written: string[] = [];
  const group = crd.spec.group;
  const kind = crd.spec.names.kind.toLowerCase();
  mkdirSync(join(dir, group), { recursive: true });
  for (const version of crd.spec.versions) {
    const schema = version.schema?.openAPIV3Schema;
    if (!schema) continue;
    const file = join(dir, group, `${kind}_${version.name}.json`);
    writeFileSync(file, JSON.stringify(strictSchema(schema)));
    written.push(file);
  }
  return written;
}

/** kubeconform -schema-location for schemas written by writeCrdSchemas. */
export const crdSchemaLocation = (dir: string): string =>
  `${dir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`;
