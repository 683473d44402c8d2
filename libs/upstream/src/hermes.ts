// Pyth Hermes v2: `/v2/updates/price/latest` JSON, `/v2/updates/price/stream` SSE events, `/v2/price_feeds`,
// and the error forms (404 text bodies, `event:error` frames). Maps events to `pyth.updates` and
// `pyth.prices` records.
import { z } from 'zod';
import { scaleInteger } from './decimal';
import { type HermesStreamErrorReason, type UpstreamError } from './errors';
import { type PythPrice, type PythUpdate, type PythUpdateFeed } from '@stableyield/schemas';
import { describeZodError, fail, ok, parseJsonText, type ParseResult } from './result';
import { type SseFrame } from './sse';
import { checkPythPrice, firstInvalid } from './validate';

const SOURCE = 'hermes';
const FEED_ID = /^(0x)?[0-9a-fA-F]{64}$/;
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const hermesPrice = z.object({
  price: z.string().regex(/^-?\d+$/, 'expected an integer string'),
  conf: z.string().regex(/^\d+$/, 'expected an unsigned integer string'),
  expo: z.number().int(),
  publish_time: z.number().int().nonnegative(),
});

const hermesParsedFeed = z.object({
  id: z.string().regex(FEED_ID, 'expected a 32-byte hex feed id'),
  price: hermesPrice,
  ema_price: hermesPrice,
  metadata: z
    .object({
      slot: z.number().int().nullish(),
      proof_available_time: z.number().int().nullish(),
      prev_publish_time: z.number().int().nullish(),
    })
    .optional(),
});

export const hermesPriceUpdateSchema = z
  .object({
    binary: z.object({ encoding: z.enum(['hex', 'base64']), data: z.array(z.string()) }),
    parsed: z.array(hermesParsedFeed).optional(),
  })
  .superRefine((update, ctx) => {
    const pattern = update.binary.encoding === 'hex' ? HEX : BASE64;
    update.binary.data.forEach((blob, i) => {
      const badHex = update.binary.encoding === 'hex' && blob.length % 2 !== 0;
      if (!pattern.test(blob) || badHex) {
        ctx.addIssue({ code: 'custom', path: ['binary', 'data', i], message: `not valid ${update.binary.encoding}` });
      }
    });
  });

/** Hermes' `PriceUpdate` JSON (a `/latest` body, one stream event); the simulator serves the same type. */
export type HermesPriceUpdate = z.infer<typeof hermesPriceUpdateSchema>;
export type HermesParsedFeed = z.infer<typeof hermesParsedFeed>;
export type HermesPrice = z.infer<typeof hermesPrice>;

export const hermesPriceFeedsSchema = z.array(
  z.object({ id: z.string().regex(FEED_ID), attributes: z.record(z.string(), z.string()) }),
);

export type HermesPriceFeedMetadata = z.infer<typeof hermesPriceFeedsSchema>[number];

/**
 * Lower-case hex without 0x: the form Hermes uses in responses and our maps use as keys (libs/chain's
 * normalizeFeedId keeps the 0x that viem wants).
 */
export function bareFeedId(id: string): string {
  return id.toLowerCase().replace(/^0x/, '');
}

export interface HermesMapOptions {
  /** feed id (any case, with or without 0x) → constituent symbol; feeds not in it give no pyth.prices record. */
  feedSymbols: Readonly<Record<string, string>>;
  receivedAt: number;
}

export interface HermesRecords {
  update: PythUpdate;
  prices: PythPrice[];
}

function symbolMap(feedSymbols: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(feedSymbols).map(([id, symbol]) => [bareFeedId(id), symbol]));
}

/** Maps a parsed Hermes price update (a `/latest` body or one SSE event's data) to records. */
export function mapHermesPriceUpdate(payload: unknown, options: HermesMapOptions): ParseResult<HermesRecords> {
  const parsed = hermesPriceUpdateSchema.safeParse(payload);
  if (!parsed.success) return fail(describeZodError(SOURCE, parsed.error));
  const symbols = symbolMap(options.feedSymbols);
  const feeds: PythUpdateFeed[] = (parsed.data.parsed ?? []).map((feed) => {
    const feedId = bareFeedId(feed.id);
    return {
      feedId,
      symbol: symbols.get(feedId) ?? null,
      price: feed.price.price,
      conf: feed.price.conf,
      expo: feed.price.expo,
      publishTime: feed.price.publish_time,
      emaPrice: feed.ema_price.price,
      emaConf: feed.ema_price.conf,
      slot: feed.metadata?.slot ?? null,
      prevPublishTime: feed.metadata?.prev_publish_time ?? null,
    };
  });
  const prices: PythPrice[] = feeds.flatMap((feed) =>
    feed.symbol === null
      ? []
      : [
          {
            symbol: feed.symbol,
            feedId: feed.feedId,
            price: scaleInteger(feed.price, feed.expo),
            conf: scaleInteger(feed.conf, feed.expo),
            publishTime: feed.publishTime,
            ts: feed.publishTime * 1000,
          },
        ],
  );
  const invalid = firstInvalid(prices, checkPythPrice, (r) => `${SOURCE}: feed ${r.feedId} (${r.symbol})`);
  if (invalid !== null) return fail(invalid);
  const maxPublish = feeds.reduce((max, f) => Math.max(max, f.publishTime), -1);
  const update: PythUpdate = {
    encoding: parsed.data.binary.encoding,
    data: parsed.data.binary.data,
    feeds,
    receivedAt: options.receivedAt,
    ts: maxPublish < 0 ? options.receivedAt : maxPublish * 1000,
  };
  return ok({ update, prices });
}

/** Maps the JSON text of a `/latest` body. */
export function parseHermesPriceUpdateText(text: string, options: HermesMapOptions): ParseResult<HermesRecords> {
  const json = parseJsonText(SOURCE, text);
  return json.ok ? mapHermesPriceUpdate(json.records, options) : json;
}

function streamErrorReason(message: string): HermesStreamErrorReason {
  if (message.startsWith('Slow consumer')) return 'slow-consumer';
  if (message.startsWith('Connection timeout reached')) return 'connection-timeout';
  if (message.startsWith('Error receiving update')) return 'receive-error';
  return 'other';
}

/** Maps one SSE frame of the price stream: data frames to records, `event:error` frames to a typed error. */
export function parseHermesSseFrame(frame: SseFrame, options: HermesMapOptions): ParseResult<HermesRecords> {
  if (frame.event === 'error') {
    const error: UpstreamError = {
      source: 'hermes',
      kind: 'stream-error',
      reason: streamErrorReason(frame.data),
      message: frame.data,
    };
    return fail(`${SOURCE}: stream error frame: ${frame.data}`, error);
  }
  if (frame.event !== 'message') return fail(`${SOURCE}: unexpected SSE event "${frame.event}"`);
  return parseHermesPriceUpdateText(frame.data, options);
}

/** Recognises Hermes' plain-text error bodies (404 "Price ids not found: …", "Update data not found"). */
export function parseHermesErrorBody(text: string): UpstreamError | null {
  const body = text.trim();
  const notFound = /^Price ids not found:\s*(.*)$/s.exec(body);
  if (notFound) {
    const ids = (notFound[1] ?? '')
      .split(/[\s,[\]"]+/)
      .filter((id) => id !== '')
      .map(bareFeedId);
    return { source: 'hermes', kind: 'price-ids-not-found', ids, message: body };
  }
  if (body.startsWith('Update data not found'))
    return { source: 'hermes', kind: 'update-data-not-found', message: body };
  return null;
}

/** Parses a `/v2/price_feeds` body (used to check configured ids at start-up). */
export function parseHermesPriceFeeds(payload: unknown): ParseResult<HermesPriceFeedMetadata[]> {
  const parsed = hermesPriceFeedsSchema.safeParse(payload);
  return parsed.success ? ok(parsed.data) : fail(describeZodError(SOURCE, parsed.error));
}
