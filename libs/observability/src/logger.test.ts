import { Writable } from 'node:stream';
import { createLogger, redactUrlSecrets, SECRET_FIELDS } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts secrets wherever our code puts them', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ app: 'keeper', level: 'info', destination });
    const key = `0x${'12'.repeat(32)}`;
    logger.child({ module: 'Wallet' }).info(
      {
        config: { PRIVATE_KEY: key, RPC_URL: 'http://127.0.0.1:8545/v2/rpc-path-key' },
        privateKey: key,
        headers: { authorization: 'Bearer abc' },
      },
      'wallet_ready',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain(key);
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('rpc-path-key');
    expect(lines[0]).toMatchObject({ app: 'keeper', module: 'Wallet', level: 'info', msg: 'wallet_ready' });
  });

  it.each(SECRET_FIELDS)('redacts %s at the top level and nested up to three levels', (field) => {
    const { lines, destination } = capture();
    const value = `placeholder-for-${field}`;
    createLogger({ app: 'x', level: 'info', destination }).info(
      {
        [field]: value,
        config: { [field]: value },
        req: { headers: { [field]: value } },
        a: { b: { c: { [field]: value } } },
      },
      'configured',
    );
    expect(JSON.stringify(lines)).not.toContain(value);
    expect(lines[0]).toMatchObject({ [field]: '[redacted]', config: { [field]: '[redacted]' } });
  });

  it('redacts the upstream keys, JWT secret, ClickHouse password and RPC URL of a logged config', () => {
    const { lines, destination } = capture();
    const config = {
      FRED_API_KEY: 'fred-placeholder',
      CRYPTOCOMPARE_API_KEY: 'cc-placeholder',
      HERMES_API_KEY: 'hermes-placeholder',
      JWT_SECRET: 'jwt-placeholder',
      CLICKHOUSE_PASSWORD: 'ch-placeholder',
      RPC_URL: 'https://user:pw@rpc.invalid/v2/k',
      LOG_LEVEL: 'info',
    };
    createLogger({ app: 'x', level: 'info', destination }).info({ config }, 'config_loaded');
    const text = JSON.stringify(lines);
    for (const [name, value] of Object.entries(config)) {
      if (name !== 'LOG_LEVEL') expect(text).not.toContain(value);
    }
    expect((lines[0]!.config as Record<string, unknown>).LOG_LEVEL).toBe('info');
  });

  it('keeps the ?api_key= query parameter and request headers out of logged requests', () => {
    const { lines, destination } = capture();
    const req = {
      method: 'GET',
      url: '/stream/syi/live?api_key=syk_placeholder&x=1',
      headers: { 'x-api-key': 'syk_header_placeholder' },
    };
    createLogger({ app: 'x', level: 'info', destination }).info({ req }, 'upgrade');
    expect(JSON.stringify(lines)).not.toContain('placeholder');
    expect(lines[0]!.req).toEqual({ method: 'GET', url: '/stream/syi/live?api_key=[redacted]&x=1' });
  });

  it('redacts credential query parameters of a URL', () => {
    expect(redactUrlSecrets('/a?x=1&api_key=abc&token=t#f')).toBe('/a?x=1&api_key=[redacted]&token=[redacted]#f');
    expect(redactUrlSecrets('/a?monkey=1')).toBe('/a?monkey=1');
  });

  it('serialises errors under err with their stack', () => {
    const { lines, destination } = capture();
    createLogger({ app: 'x', level: 'info', destination }).error({ err: new Error('boom') }, 'failed');
    expect(lines[0]!.err).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it('masks every URL in a logged error: message, stack, own fields and causes', () => {
    const { lines, destination } = capture();
    const rpc = 'https://eth.example.org/v2/rpc-key-1234?apikey=abc';
    const err = Object.assign(new Error(`HTTP request failed.\nURL: ${rpc}`, { cause: new Error(`fetch ${rpc}`) }), {
      url: rpc,
      details: { request: { url: rpc } },
    });
    createLogger({ app: 'x', level: 'info', destination }).warn({ err }, 'failed');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('rpc-key-1234');
    expect(text).not.toContain('apikey=abc');
    expect(lines[0]!.err).toMatchObject({ type: 'Error', url: 'https://eth.example.org/…' });
    expect((lines[0]!.err as { message: string }).message).toContain('URL: https://eth.example.org/…');
  });

  it('masks a URL in an error logged as text', () => {
    const { lines, destination } = capture();
    createLogger({ app: 'x', level: 'info', destination }).warn(
      { err: 'connect to wss://u:pw@node.example:8546/k' },
      'x',
    );
    expect(lines[0]!.err).toBe('connect to wss://node.example:8546/…');
  });
});
