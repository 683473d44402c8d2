/**
 * A backup is a folder: the files below and `manifest.json`, which lists each file with its
 * size and SHA-256, so a restore refuses a truncated or altered backup before touching anything.
 * The manifest names the databases, never a URL (URLs carry credentials).
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST = 'manifest.json';
export const FORMAT = 'stableyield-backup/1';

export interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly format: typeof FORMAT;
  readonly createdAt: string;
  readonly postgres?: { readonly database: string; readonly file: string; readonly timescaledb: boolean };
  readonly clickhouse?: {
    readonly database: string;
    readonly tables: readonly { readonly name: string; readonly view: boolean; readonly rows: number }[];
  };
  readonly files: readonly ManifestFile[];
}

export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function describeFiles(dir: string, paths: readonly string[]): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const path of paths)
    out.push({ path, bytes: statSync(join(dir, path)).size, sha256: await fileDigest(join(dir, path)) });
  return out;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}

/** Reads the manifest and checks every file it lists; throws naming each file that differs. */
export async function readVerifiedManifest(dir: string): Promise<Manifest> {
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
  const format: unknown = manifest.format;
  if (format !== FORMAT)
    throw new Error(`${dir}: not a backup of this tool (format ${String(format)}, expected ${FORMAT})`);
  const bad: string[] = [];
  for (const f of manifest.files) {
    let bytes: number;
    try {
      bytes = statSync(join(dir, f.path)).size;
    } catch {
      bad.push(`${f.path} is missing`);
      continue;
    }
    if (bytes !== f.bytes) bad.push(`${f.path} has ${bytes} bytes, the manifest says ${f.bytes}`);
    else if ((await fileDigest(join(dir, f.path))) !== f.sha256) bad.push(`${f.path} does not match its SHA-256`);
  }
  if (bad.length > 0) throw new Error(`${dir}: backup damaged: ${bad.join('; ')}`);
  return manifest;
}
