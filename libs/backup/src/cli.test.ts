import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, targetsOf } from './cli';

describe('parseArgs', () => {
  it('takes a verb, a folder and --only', () => {
    expect(parseArgs(['backup', '/tmp/b'])).toEqual({ verb: 'backup', dir: '/tmp/b' });
    expect(parseArgs(['restore', '--only', 'clickhouse', '/tmp/b'])).toEqual({
      verb: 'restore',
      dir: '/tmp/b',
      only: 'clickhouse',
    });
  });

  it.each([[[]], [['dump', 'x']], [['backup']], [['backup', 'a', 'b']], [['backup', 'a', '--only', 'kafka']]])(
    'rejects %j',
    (argv) => {
      expect(() => parseArgs(argv)).toThrow();
    },
  );
});

describe('targetsOf', () => {
  it('reads DATABASE_URL from a file and ClickHouse from the variables the sink uses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backup-cli-'));
    try {
      writeFileSync(join(dir, 'url'), 'postgres://u@127.0.0.1:5432/db\n');
      writeFileSync(join(dir, 'pw'), 'from-a-file');
      const targets = targetsOf(parseArgs(['backup', 'x']), {
        DATABASE_URL_FILE: join(dir, 'url'),
        CLICKHOUSE_URL: 'http://127.0.0.1:8123',
        CLICKHOUSE_DATABASE: 'analytics',
        CLICKHOUSE_USER: 'u',
        CLICKHOUSE_PASSWORD_FILE: join(dir, 'pw'),
      });
      expect(targets).toEqual({
        postgresUrl: 'postgres://u@127.0.0.1:5432/db',
        clickhouse: { url: 'http://127.0.0.1:8123', database: 'analytics', user: 'u', password: 'from-a-file' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs DATABASE_URL unless --only clickhouse, and leaves out what --only excludes', () => {
    expect(() => targetsOf(parseArgs(['backup', 'x']), {})).toThrow('DATABASE_URL');
    expect(targetsOf(parseArgs(['backup', 'x', '--only', 'clickhouse']), {})).toEqual({
      clickhouse: { url: 'http://127.0.0.1:8123', database: 'stableyield_analytics' },
    });
    expect(targetsOf(parseArgs(['backup', 'x', '--only', 'postgres']), { DATABASE_URL: 'postgres://u@h/db' })).toEqual({
      postgresUrl: 'postgres://u@h/db',
    });
  });
});
