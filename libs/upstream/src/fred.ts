// FRED `/fred/series/observations` (file_type=json) → one `trad.tbill` record: the latest observation
// whose value is not "." (FRED's marker for a missing day). ts = the observation date at 00:00 UTC: the
// record is a daily value, and a ts derived from the data (not the fetch time) makes re-fetches of the
// same observation identical records. With the methodology's 7-day freshness this covers weekends and
// holidays; a stale series (no new observation for 7 days) correctly drops the T-bill.
import { z } from 'zod';
import { type TradTbillRecord } from './records';
import { describeZodError, fail, ok, type ParseResult } from './result';
import { checkTbill } from './validate';

const SOURCE = 'fred';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const fredObservationsSchema = z.object({
  observations: z.array(
    z.object({
      date: z.string().regex(DATE, 'expected YYYY-MM-DD'),
      value: z.string().regex(/^(\.|-?\d+(\.\d+)?)$/, 'expected a decimal string or "."'),
    }),
  ),
});

export const fredErrorSchema = z.object({ error_code: z.number().int(), error_message: z.string() });

export function mapFredObservations(payload: unknown, series: string): ParseResult<TradTbillRecord> {
  const error = fredErrorSchema.safeParse(payload);
  if (error.success) return fail(`${SOURCE}: error ${error.data.error_code}: ${error.data.error_message}`);
  const parsed = fredObservationsSchema.safeParse(payload);
  if (!parsed.success) return fail(describeZodError(SOURCE, parsed.error));
  // Dates compare as strings (ISO); the body may be sorted either way.
  const latest = parsed.data.observations
    .filter((o) => o.value !== '.')
    .reduce<{ date: string; value: string } | null>(
      (best, o) => (best === null || o.date > best.date ? o : best),
      null,
    );
  if (latest === null) return fail(`${SOURCE}: ${series}: no observation with a value (all missing or none returned)`);
  const ts = Date.parse(`${latest.date}T00:00:00Z`);
  if (Number.isNaN(ts)) return fail(`${SOURCE}: ${series}: invalid date ${latest.date}`);
  const record: TradTbillRecord = { series, rate: Number(latest.value), date: latest.date, ts };
  const problem = checkTbill(record);
  return problem === null ? ok(record) : fail(`${SOURCE}: ${series}: ${problem}`);
}
