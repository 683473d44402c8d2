import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT, MANIFEST, describeFiles, readVerifiedManifest, writeManifest } from './manifest';

describe('manifest', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-manifest-'));
    writeFileSync(join(dir, 'a.dump'), 'postgres bytes');
    writeFileSync(join(dir, 'b.native'), Buffer.from([0, 1, 2, 3]));
    writeManifest(dir, {
      format: FORMAT,
      createdAt: '2026-12-06T00:00:00.000Z',
      files: await describeFiles(dir, ['a.dump', 'b.native']),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists each file with its size and SHA-256, and reads back when nothing changed', async () => {
    const m = await readVerifiedManifest(dir);
    expect(m.files).toEqual([
      { path: 'a.dump', bytes: 14, sha256: 'bb44c4cd49533bd63d0defc2276eae73e23d304255722557745976736a1d83a8' },
      { path: 'b.native', bytes: 4, sha256: '054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8' },
    ]);
  });

  it('refuses a file changed in place', async () => {
    writeFileSync(join(dir, 'b.native'), Buffer.from([0, 1, 2, 4]));
    await expect(readVerifiedManifest(dir)).rejects.toThrow('b.native does not match its SHA-256');
  });

  it('refuses a truncated or missing file, naming each', async () => {
    truncateSync(join(dir, 'a.dump'), 3);
    rmSync(join(dir, 'b.native'));
    await expect(readVerifiedManifest(dir)).rejects.toThrow(
      /a\.dump has 3 bytes, the manifest says 14; b\.native is missing/,
    );
  });

  it('refuses a folder of another format', async () => {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ ...m, format: 'other/1' }));
    await expect(readVerifiedManifest(dir)).rejects.toThrow('not a backup of this tool');
  });
});
