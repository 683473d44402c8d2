// The per-feed price config, in the YAML format of Pyth's price pusher (price-config.ts there):
//   - alias: USDC/USD
//     id: eaa020c6…c94a
//     time_difference: 60     # seconds: heartbeat
//     price_deviation: 0.5    # percent
//     confidence_ratio: 100   # percent
//     early_update: { time_difference: 30, price_deviation: 0.1, confidence_ratio: 5 }  # optional
// Differences: the three thresholds may be omitted (the env-level defaults apply), ids may be
// upper-case or 0x-prefixed (they are normalised).
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isFeedId, normalizeFeedId, type FeedId } from '../price-feed';

export interface Thresholds {
  /** Heartbeat: push when the source is this many seconds newer than the on-chain price. */
  timeDifferenceS: number;
  /** Push when the price moved at least this many percent from the on-chain price. */
  priceDeviationPct: number;
  /** Push when conf / price × 100 reaches this many percent. */
  confidenceRatioPct: number;
}

export interface FeedConfig extends Thresholds {
  alias: string;
  id: FeedId;
  /** Thresholds for riding along in a batch another feed triggered; absent fields never match. */
  earlyUpdate?: Partial<Thresholds>;
}

// The YAML is read with the failsafe schema (every scalar a string): an unquoted id such as
// 0xeaa0… would otherwise become a (rounded) number. Thresholds are converted here.
const nonNegative = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?([eE][-+]?\d+)?$/, 'must be a non-negative number')
  .transform(Number)
  .pipe(z.number().finite());

const earlyUpdateSchema = z
  .object({ time_difference: nonNegative, price_deviation: nonNegative, confidence_ratio: nonNegative })
  .partial()
  .strict();

const entrySchema = z
  .object({
    alias: z.string().min(1),
    id: z.string().refine(isFeedId, 'must be a 32-byte hex feed id'),
    time_difference: nonNegative.optional(),
    price_deviation: nonNegative.optional(),
    confidence_ratio: nonNegative.optional(),
    early_update: earlyUpdateSchema.optional(),
  })
  .strict();

const fileSchema = z.array(entrySchema).min(1, 'the price config lists no feed');

function earlyThresholds(e: z.infer<typeof earlyUpdateSchema>): Partial<Thresholds> {
  return {
    ...(e.time_difference !== undefined ? { timeDifferenceS: e.time_difference } : {}),
    ...(e.price_deviation !== undefined ? { priceDeviationPct: e.price_deviation } : {}),
    ...(e.confidence_ratio !== undefined ? { confidenceRatioPct: e.confidence_ratio } : {}),
  };
}

/** Parses the YAML text; throws one error listing every problem, with its path. */
export function parsePriceConfig(yamlText: string, defaults: Thresholds): FeedConfig[] {
  const result = fileSchema.safeParse(parseYaml(yamlText, { schema: 'failsafe' }));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid price config:\n  ${problems.join('\n  ')}`);
  }
  const feeds = result.data.map((e): FeedConfig => ({
    alias: e.alias,
    id: normalizeFeedId(e.id),
    timeDifferenceS: e.time_difference ?? defaults.timeDifferenceS,
    priceDeviationPct: e.price_deviation ?? defaults.priceDeviationPct,
    confidenceRatioPct: e.confidence_ratio ?? defaults.confidenceRatioPct,
    ...(e.early_update ? { earlyUpdate: earlyThresholds(e.early_update) } : {}),
  }));
  assertUnique(
    feeds.map((f) => f.id),
    'id',
  );
  assertUnique(
    feeds.map((f) => f.alias),
    'alias',
  );
  return feeds;
}

function assertUnique(values: string[], what: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new Error(`invalid price config: duplicate ${what} ${v}`);
    seen.add(v);
  }
}
