import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoPath } from '../src/paths';

describe('deploy.sh', () => {
  it('is valid bash', () => {
    expect(spawnSync('bash', ['-n', repoPath('deploy.sh')]).status).toBe(0);
  });

  it('prints its usage and exits 2 without a known target', () => {
    for (const args of [[], ['bogus']]) {
      const r = spawnSync('bash', [repoPath('deploy.sh'), ...args], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('./deploy.sh local');
      expect(r.stderr).toContain('./deploy.sh k8s dev|prod');
    }
  });

  it('refuses to pick an overlay itself: without one it applies nothing', () => {
    const r = spawnSync('bash', [repoPath('deploy.sh'), 'k8s'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${repoPath('libs/deployment/test/fake-bin')}:${process.env.PATH ?? ''}` },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('name the overlay');
    expect(r.stdout).not.toMatch(/kubectl/);
  });

  it('rejects an overlay that does not exist before touching a cluster', () => {
    const r = spawnSync('bash', [repoPath('deploy.sh'), 'k8s', 'staging'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${repoPath('libs/deployment/test/fake-bin')}:${process.env.PATH ?? ''}` },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no overlay k8s/overlays/staging');
  });

  it('runs the documented command of each target', () => {
    const script = readFileSync(repoPath('deploy.sh'), 'utf8');
    expect(script).toContain('exec npm start');
    expect(script).toContain('docker compose up -d');
    expect(script).toContain('kubectl apply --server-side --force-conflicts -k "k8s/overlays/$env"');
    expect(script).toContain('helm upgrade --install "$release" helm/stableyield');
  });
});
