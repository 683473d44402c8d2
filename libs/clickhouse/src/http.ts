/** An error answered by the ClickHouse server (HTTP status other than 200), with its `Code: N`. */
export class ClickHouseError extends Error {
  override readonly name = 'ClickHouseError';
  constructor(readonly status: number, readonly code: number | null, detail: string) {
    super(`ClickHouse ${status}${code === null ? '' : ` code ${code}`}: ${detail.trim().slice(0, 500)}`);
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Identifiers come from code or configuration; anything else is refused rather than quoted. */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ClickHouse identifier "${name}"`);
  return name;
}

export interface ClickHouseSettings {
  url: string;
  user?: string;
  password?: string;
  /** Abort a request after this long. */
  timeoutMs?: number;
}

/**
 * ClickHouse over HTTP with fetch: SQL in the body (or the `query` URL parameter for inserts),
 * settings as URL parameters (18.16 has no `INSERT … SETTINGS`). No query parameters: 18.16
 * lacks them, so values travel only as JSONEachRow data, never inside SQL text.
 */
export class ClickHouseHttp {
  constructor(private readonly settings: ClickHouseSettings) {}

  private async request(params: Record<string, string>, body: string | Buffer): Promise<string> {
    const url = new URL(this.settings.url);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream' };
    if (this.settings.user) headers['X-ClickHouse-User'] = this.settings.user;
    if (this.settings.password) headers['X-ClickHouse-Key'] = this.settings.password;
    const send = () => fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.settings.timeoutMs ?? 30_000) });
    // A pooled keep-alive socket the server has closed meanwhile fails at once: try afresh
    // (safe for our inserts too: ReplacingMergeTree collapses a row inserted twice).
    let res: Response | undefined;
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await send();
      } catch (err) {
        if (attempt >= 3 || !isStaleSocket(err)) throw err;
      }
    }
    const text = await res.text();
    if (!res.ok) {
      const code = /Code: (\d+)/.exec(text)?.[1];
      throw new ClickHouseError(res.status, code === undefined ? null : Number(code), text);
    }
    return text;
  }

  /** Runs a statement (DDL, OPTIMIZE, …). */
  async command(sql: string): Promise<void> {
    await this.request({}, sql);
  }

  /** Runs a SELECT and parses its JSONEachRow answer. 64-bit integers come back as strings. */
  async query<T>(sql: string): Promise<T[]> {
    const text = await this.request({}, `${sql}\nFORMAT JSONEachRow`);
    return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T);
  }

  /** Inserts rows as JSONEachRow; resolves once the server has acknowledged (written) them. */
  async insert(database: string, table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    const body = rows.map((r) => JSON.stringify(r)).join('\n');
    await this.request({ query: `INSERT INTO ${identifier(database)}.${identifier(table)} FORMAT JSONEachRow` }, body);
  }

  /** Inserts rows already encoded as RowBinary for the listed columns; resolves once acknowledged. */
  async insertRowBinary(database: string, table: string, columns: readonly string[], body: Buffer): Promise<void> {
    if (body.length === 0) return;
    const list = columns.map(identifier).join(', ');
    await this.request({ query: `INSERT INTO ${identifier(database)}.${identifier(table)} (${list}) FORMAT RowBinary` }, body);
  }

  async ping(): Promise<boolean> {
    const url = new URL('/ping', this.settings.url);
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return res.ok;
  }
}

const STALE_SOCKET = new Set(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']);
const isStaleSocket = (err: unknown): boolean => err instanceof TypeError && STALE_SOCKET.has((err.cause as { code?: string } | undefined)?.code ?? '');

/** Whether an error means ClickHouse was unreachable (network failure or timeout) rather than refused the data. */
export function isClickHouseConnectionError(err: unknown): boolean {
  if (err instanceof ClickHouseError) return err.status >= 502;
  return err instanceof TypeError || (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
}
