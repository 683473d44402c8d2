import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, parseConfig } from './load';
import { booleanFlag, commaList, kafkaSchema, port } from './fields';

const schema = z.object({
  PORT: port.default(8080),
  NAME: z.string().min(1),
  DEBUG: booleanFlag.default(false),
  PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-f]{64}$/, 'must be a 0x-prefixed 32-byte hex key')
    .optional(),
  ...kafkaSchema,
});

describe('parseConfig', () => {
  it('applies defaults and coerces strings', () => {
    const config = parseConfig(schema, { NAME: 'x', PORT: '9000', DEBUG: 'false' });
    expect(config).toMatchObject({ PORT: 9000, NAME: 'x', DEBUG: false, KAFKA_BROKERS: ['127.0.0.1:9092'] });
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig(schema, { NAME: 'x', PORT: '' }).PORT).toBe(8080);
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: 'abc', DEBUG: 'maybe', KAFKA_BROKERS: ' , ' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^PORT: /m);
    expect(problems).toMatch(/^NAME: is required/m);
    expect(problems).toMatch(/^DEBUG: must be true or false/m);
    expect(problems).toMatch(/^KAFKA_BROKERS: must list at least one value/m);
    expect((error as ConfigError).message).toContain('Invalid configuration');
  });

  it('reads NAME_FILE when NAME is unset, trimming the final newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'key');
    writeFileSync(file, `0x${'ab'.repeat(32)}\n`);
    expect(parseConfig(schema, { NAME: 'x', PRIVATE_KEY_FILE: file }).PRIVATE_KEY).toBe(`0x${'ab'.repeat(32)}`);
  });

  it('refuses NAME and NAME_FILE together, and an unreadable file', () => {
    expect(() => parseConfig(schema, { NAME: 'x', PRIVATE_KEY: 'a', PRIVATE_KEY_FILE: '/nope' })).toThrow(
      /set both PRIVATE_KEY and PRIVATE_KEY_FILE/,
    );
    expect(() => parseConfig(schema, { NAME: 'x', PRIVATE_KEY_FILE: '/definitely/not/here' })).toThrow(
      /PRIVATE_KEY_FILE: cannot read \/definitely\/not\/here \(ENOENT\)/,
    );
  });

  it("ignores other tools' *_FILE variables", () => {
    expect(parseConfig(schema, { NAME: 'x', TF_CLI_CONFIG_FILE: '/does/not/exist' }).NAME).toBe('x');
  });

  it('never echoes a secret value in the error', () => {
    const secret = 'not-a-valid-key-but-secret';
    try {
      parseConfig(schema, { NAME: 'x', PRIVATE_KEY: secret });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as Error).message).toContain('PRIVATE_KEY: must be a 0x-prefixed 32-byte hex key');
      expect((err as Error).message).not.toContain(secret);
    }
  });
});

describe('commaList', () => {
  it('splits and trims', () => {
    expect(commaList.parse(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
  });
});
