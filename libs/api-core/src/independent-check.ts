// What the API says about the independent check of the index: the auditor (apps/auditor)
// recomputes every published record from its inputs and serves its findings on GET /status.
// The API asks it at most once per `cacheMs` and never lets a slow or absent auditor slow a
// request down: past `timeoutMs` the answer is "not available".
import { objectSchema } from './schemas';

/** The `independent` part of /api/index/verify, and the body of /api/index/audit. */
export interface IndependentCheck {
  /** false when no auditor is configured, or it did not answer */
  readonly available: boolean;
  /** T (ms) up to which every published record has been recomputed and compared */
  readonly verifiedThrough: number | null;
  readonly matched: number;
  readonly mismatched: number;
  /** whether the auditor found any record that does not recompute (over the topics' retention) */
  readonly mismatchSeen: boolean;
  /** T of the last record that did not recompute */
  readonly lastMismatchTs: number | null;
}

export const NOT_AVAILABLE: IndependentCheck = {
  available: false,
  verifiedThrough: null,
  matched: 0,
  mismatched: 0,
  mismatchSeen: false,
  lastMismatchTs: null,
};

/** The fields of the auditor's /status this reads (libs/stream AuditStatus). */
interface AuditorStatus {
  checkedThrough: number | null;
  matched: number;
  mismatched: number;
  lastMismatch: { ts: number } | null;
}

function isAuditorStatus(body: unknown): body is AuditorStatus {
  const b = body as Partial<AuditorStatus> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    (b.checkedThrough === null || typeof b.checkedThrough === 'number') &&
    typeof b.matched === 'number' &&
    typeof b.mismatched === 'number' &&
    (b.lastMismatch === null || typeof b.lastMismatch?.ts === 'number')
  );
}

export interface AuditorStatusOptions {
  /** the auditor's base URL, e.g. http://127.0.0.1:9213; undefined: no auditor */
  url: string | undefined;
  cacheMs?: number;
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export class AuditorStatusSource {
  private cached: { at: number; value: Promise<IndependentCheck> } | null = null;

  constructor(private readonly options: AuditorStatusOptions) {}

  /** The auditor's findings, at most `cacheMs` old. */
  get(): Promise<IndependentCheck> {
    const { url } = this.options;
    if (url === undefined) return Promise.resolve(NOT_AVAILABLE);
    const now = (this.options.now ?? Date.now)();
    if (this.cached === null || now - this.cached.at >= (this.options.cacheMs ?? 2_000))
      this.cached = { at: now, value: this.ask(url) };
    return this.cached.value;
  }

  private async ask(url: string): Promise<IndependentCheck> {
    try {
      const res = await (this.options.fetch ?? fetch)(`${url.replace(/\/$/, '')}/status`, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 1_000),
      });
      if (!res.ok) return NOT_AVAILABLE;
      const body: unknown = await res.json();
      if (!isAuditorStatus(body)) return NOT_AVAILABLE;
      return {
        available: true,
        verifiedThrough: body.checkedThrough,
        matched: body.matched,
        mismatched: body.mismatched,
        mismatchSeen: body.mismatched > 0,
        lastMismatchTs: body.lastMismatch?.ts ?? null,
      };
    } catch {
      return NOT_AVAILABLE;
    }
  }
}

/** OpenAPI schema of IndependentCheck. */
export const independentCheckSchema = objectSchema(
  {
    available: { type: 'boolean', description: 'false when no auditor is configured or it did not answer' },
    verifiedThrough: {
      type: ['integer', 'null'],
      description: 'T (ms) up to which every published record was recomputed and compared',
    },
    matched: { type: 'integer' },
    mismatched: { type: 'integer' },
    mismatchSeen: {
      type: 'boolean',
      description: 'whether any published record did not recompute (over the retained topics)',
    },
    lastMismatchTs: { type: ['integer', 'null'] },
  },
  'The independent check of the index by the auditor, which recomputes every published record from its inputs.',
);
