// At start, every configured feed id is looked up where a typo would otherwise hide: Hermes (when
// HERMES_URL is set: an id Hermes does not serve never gets a price, and the oracle for it is
// silently absent) and the contract (an id it does not know yet is pushed on the first update;
// worth a line in the log, not an error). The result names each unknown feed by alias and id.
import { type FeedConfig, type FeedId } from '@stableyield/chain';

export interface FeedCheck {
  /** Feeds Hermes does not list (undefined when Hermes was not asked or did not answer). */
  unknownOnHermes?: FeedConfig[];
  /** Why Hermes could not be asked. */
  hermesError?: string;
  /** Feeds the contract has no price for yet. */
  notOnChain: FeedConfig[];
}

export interface FeedCheckDeps {
  hermesUrl?: string;
  fetchFn?: typeof fetch;
  onChain: (ids: FeedId[]) => Promise<Map<FeedId, boolean>>;
  timeoutMs?: number;
}

const bare = (id: string): string => id.replace(/^0x/, '').toLowerCase();

async function hermesIds(hermesUrl: string, fetchFn: typeof fetch, timeoutMs: number): Promise<Set<string>> {
  const res = await fetchFn(`${hermesUrl.replace(/\/$/, '')}/v2/price_feeds`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Hermes /v2/price_feeds answered HTTP ${res.status}`);
  const body: unknown = await res.json();
  if (!Array.isArray(body)) throw new Error('Hermes /v2/price_feeds did not return a list');
  return new Set(body.map((f: { id?: unknown }) => (typeof f.id === 'string' ? bare(f.id) : '')));
}

export async function checkFeeds(feeds: readonly FeedConfig[], deps: FeedCheckDeps): Promise<FeedCheck> {
  const onChain = await deps.onChain(feeds.map((f) => f.id));
  const check: FeedCheck = { notOnChain: feeds.filter((f) => onChain.get(f.id) !== true) };
  if (!deps.hermesUrl) return check;
  try {
    const known = await hermesIds(deps.hermesUrl, deps.fetchFn ?? fetch, deps.timeoutMs ?? 10_000);
    check.unknownOnHermes = feeds.filter((f) => !known.has(bare(f.id)));
  } catch (err) {
    check.hermesError = err instanceof Error ? err.message : String(err);
  }
  return check;
}
