/**
 * `.env.example` is the list of docker-compose.yml's variables: `cp .env.example .env` or
 * `./deploy.sh docker` (which copies it and fills the passwords) gives a `.env` compose accepts.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../src/paths';

const PASSWORDS = ['POSTGRES_PASSWORD', 'CLICKHOUSE_PASSWORD', 'GRAFANA_ADMIN_PASSWORD'];

const example = readFileSync(repoPath('.env.example'), 'utf8');
const compose = readFileSync(repoPath('docker-compose.yml'), 'utf8');

/** NAME=value lines of an env file. */
const parseEnv = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
/** `${NAME}`, `${NAME:-x}`, `${NAME:?message}` in the compose file; `required` for the `:?` ones. */
const composeVariables = () =>
  [...compose.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:?[-?])?/g)].map((m) => ({ name: m[1]!, required: m[2] === ':?' }));
// Compose's `secrets: … environment: NAME` reads these from .env too.
const secretVariables = () => [...compose.matchAll(/^\s+environment: ([A-Z_][A-Z0-9_]*)$/gm)].map((m) => m[1]!);

describe('.env.example', () => {
  const vars = parseEnv(example);

  it('defines every variable docker-compose.yml reads, and no other', () => {
    const used = new Set([...composeVariables().map((v) => v.name), ...secretVariables()]);
    expect([...vars.keys()].sort()).toEqual([...used].sort());
  });

  it('comments every variable', () => {
    const lines = example.split('\n');
    for (const [i, line] of lines.entries()) {
      if (!/^[A-Z_]+=/.test(line)) continue;
      // The block a variable belongs to starts with a comment.
      let j = i - 1;
      while (j >= 0 && /^[A-Z_]+=/.test(lines[j]!)) j--;
      expect([line, lines[j]?.startsWith('# ')]).toEqual([line, true]);
    }
  });

  it('holds no secret: passwords and the keeper key are empty', () => {
    for (const name of [...PASSWORDS, 'KEEPER_PRIVATE_KEY', 'CRYPTOCOMPARE_API_KEY'])
      expect([name, vars.get(name)]).toEqual([name, '']);
  });

  it('gives every variable compose requires a value, or leaves it to deploy.sh to generate', () => {
    for (const { name } of composeVariables().filter((v) => v.required)) {
      expect([name, vars.get(name) !== '' || PASSWORDS.includes(name)]).toEqual([name, true]);
    }
  });
});

describe('./deploy.sh docker and .env', () => {
  let dir: string;
  const run = () => {
    const r = spawnSync('bash', [join(dir, 'deploy.sh'), 'docker'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` },
    });
    expect([r.status, r.stderr]).toEqual([0, expect.any(String)]);
    return r;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-env-'));
    copyFileSync(repoPath('deploy.sh'), join(dir, 'deploy.sh'));
    copyFileSync(repoPath('.env.example'), join(dir, '.env.example'));
    mkdirSync(join(dir, 'bin'));
    // A docker that records what it was asked to do.
    writeFileSync(join(dir, 'bin/docker'), `#!/bin/sh\necho "$@" >> "${dir}/docker-calls"\n`);
    chmodSync(join(dir, 'bin/docker'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes .env from .env.example with generated passwords, private to its owner, then starts compose', () => {
    const r = run();
    const env = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
    for (const name of PASSWORDS) expect(env.get(name)).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(PASSWORDS.map((n) => env.get(n))).size).toBe(3);
    expect(env.get('PYTH_CONTRACT_ADDRESS')).toBe(parseEnv(example).get('PYTH_CONTRACT_ADDRESS'));
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'docker-calls'), 'utf8')).toContain('compose up -d --build');
    expect(r.stderr).toContain('KEEPER_PRIVATE_KEY is empty');
    // Never a password on the terminal.
    for (const name of PASSWORDS) expect(r.stderr).not.toContain(env.get(name));
  });

  it('keeps what a copied and edited .env already sets, and fills only what is empty', () => {
    writeFileSync(join(dir, '.env'), example.replace('POSTGRES_PASSWORD=\n', 'POSTGRES_PASSWORD=chosen-by-me\n'));
    run();
    const first = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
    expect(first.get('POSTGRES_PASSWORD')).toBe('chosen-by-me');
    expect(first.get('CLICKHOUSE_PASSWORD')).toMatch(/^[0-9a-f]{32}$/);
    run();
    expect(parseEnv(readFileSync(join(dir, '.env'), 'utf8'))).toEqual(first);
  });
});

describe('npm scripts of the deployment files', () => {
  it("regenerates the catalog's files with `npm run deploy:generate`", () => {
    const scripts = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts['deploy:generate']).toBe('tsx libs/deployment/src/generate-cli.ts');
    expect(existsSync(repoPath('libs/deployment/src/generate-cli.ts'))).toBe(true);
  });
});
