// Malformed responses for the "malformed" scenario: alternately a body with a wrong field (the shape
// check must name it) and a truncated body (not JSON at all). Which one is chosen by a counter.
import { type Source } from './scenario';

function corruptField(source: Source, body: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  switch (source) {
    case 'hermes': {
      const parsed = copy['parsed'] as { price: { price: unknown } }[] | undefined;
      if (parsed?.[0] !== undefined) parsed[0].price.price = 'not-a-number';
      else copy['binary'] = { encoding: 'hex', data: ['zz'] };
      return copy;
    }
    case 'cryptocompare': {
      const raw = copy['RAW'] as Record<string, Record<string, Record<string, unknown>>> | undefined;
      const first = raw === undefined ? undefined : Object.values(raw)[0];
      const quote = first === undefined ? undefined : Object.values(first)[0];
      if (quote !== undefined) quote['PRICE'] = String(quote['PRICE']);
      return copy;
    }
    case 'binance': {
      if (Array.isArray(body))
        return (body as Record<string, unknown>[]).map((t) => ({ ...t, lastPrice: Number(t['lastPrice']) }));
      if ('bids' in copy) copy['bids'] = [['1.00000000']];
      else copy['lastPrice'] = Number(copy['lastPrice']);
      return copy;
    }
    case 'defillama-yields': {
      const data = copy['data'] as Record<string, unknown>[];
      if (data[0] !== undefined) data[0]['tvlUsd'] = 'a lot';
      return copy;
    }
    case 'defillama-stablecoins': {
      const assets = copy['peggedAssets'] as Record<string, unknown>[];
      if (assets[0] !== undefined) assets[0]['circulating'] = { peggedUSD: 'many' };
      return copy;
    }
    case 'fred': {
      const obs = copy['observations'] as Record<string, unknown>[];
      const last = obs[obs.length - 1];
      if (last !== undefined) last['value'] = 'n/a';
      return copy;
    }
  }
}

/** The text of a malformed variant of `body`; even counters corrupt a field, odd ones truncate. */
export function malformedText(source: Source, body: unknown, counter: number): string {
  if (counter % 2 === 0) return JSON.stringify(corruptField(source, body));
  const text = JSON.stringify(body);
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}
