/**
 * The local stack's shell helpers, run with fake system commands: scripts/stack/apt.sh must take
 * its policy-rc.d away again on every way out, or no service would ever start on the machine.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../src/paths';

function fakeBin(dir: string, aptGetInstall: string): string {
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script('sudo', 'exec "$@"');
  // `apt-get update` succeeds; `apt-get install` does what the test says.
  script('apt-get', `[ "$1" = update ] && exit 0\n${aptGetInstall}`);
  return bin;
}

function aptInstall(aptGetInstall: string, options: { existing?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'apt-sh-'));
  const policy = join(dir, 'policy-rc.d');
  if (options.existing) writeFileSync(policy, '#!/bin/sh\nexit 0\n');
  const bin = fakeBin(dir, aptGetInstall);
  const r = spawnSync(
    'bash',
    ['-c', `set -euo pipefail; . "${repoPath('scripts/stack/apt.sh')}"; apt_install somepkg`],
    {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, POLICY_RC_D: policy },
      timeout: 20_000,
    },
  );
  const left = existsSync(policy);
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, left };
}

describe('scripts/stack/apt.sh apt_install', () => {
  it('blocks service starts during the install and removes its policy-rc.d afterwards', () => {
    // The install sees the policy in place (exit 101 = do not start services).
    expect(aptInstall('[ -x "$POLICY_RC_D" ] && "$POLICY_RC_D"; [ $? -eq 101 ]')).toEqual({ status: 0, left: false });
  });

  it('removes it when the install fails', () => {
    expect(aptInstall('exit 100')).toEqual({ status: 100, left: false });
  });

  it('removes it when the install is interrupted (SIGTERM, SIGINT)', () => {
    expect(aptInstall('kill -TERM $PPID; sleep 1; exit 0')).toEqual({ status: 143, left: false });
    expect(aptInstall('kill -INT $PPID; sleep 1; exit 0')).toEqual({ status: 130, left: false });
  });

  it('leaves a policy-rc.d it did not create', () => {
    expect(aptInstall('exit 0', { existing: true })).toEqual({ status: 0, left: true });
  });
});

describe('scripts/install-deploy-tools.sh', () => {
  it('names every missing prerequisite at once, before installing anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-tools-'));
    // A PATH with the basic commands only: no go, python3, apt-get, dpkg-deb, mvn, java, kubectl.
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    for (const tool of ['mkdir', 'sort', 'cat', 'grep', 'sed']) {
      const path = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      spawnSync('ln', ['-s', path, join(bin, tool)]);
    }
    const r = spawnSync('/bin/bash', [repoPath('scripts/install-deploy-tools.sh')], {
      encoding: 'utf8',
      env: { HOME: dir, PATH: bin, DEPLOY_TOOLS_DIR: join(dir, 'tools') },
      timeout: 20_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('missing prerequisites');
    for (const tool of [
      'go (for helm',
      'apt-get (for promtool',
      'apt-get (for amtool',
      'dpkg-deb',
      'python3 with pip',
      "Strimzi's crd-generator",
    ])
      expect(r.stderr).toContain(tool);
    expect(r.stdout).not.toContain('installing');
  });
});

describe('npm ci', () => {
  it(
    "runs no third-party analytics: @scarf/scarf's postinstall finds itself turned off by the " + 'root package.json',
    () => {
      const root = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
        scarfSettings?: { enabled?: boolean };
      };
      expect(root.scarfSettings).toEqual({ enabled: false });
      // Scarf's own rule (report.js, userHasOptedOut): scarfSettings.enabled === false in the root package.
      const scarf = readFileSync(repoPath('node_modules/@scarf/scarf/report.js'), 'utf8');
      expect(scarf).toContain('rootPackage.scarfSettings.enabled === false');
    },
  );
});
