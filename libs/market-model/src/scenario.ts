// Scenarios: timed disturbances of the simulated market and its APIs, loaded from JSON or YAML and
// validated here. Times are offsets from the moment the scenario is loaded ("30s", "2m", 500 = ms).
import { z } from 'zod';

export const SOURCES = [
  'hermes',
  'cryptocompare',
  'binance',
  'defillama-yields',
  'defillama-stablecoins',
  'fred',
] as const;
export type Source = (typeof SOURCES)[number];

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1500ms", "30s", "2m", "1h" or a number of ms. */
export const durationMs = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (match === null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", "30s", "2m", "1h", got "${value}"` });
    return z.NEVER;
  }
  return Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
});

const timing = { at: durationMs.default(0), duration: durationMs.optional() };

const depeg = z.object({
  type: z.literal('depeg'),
  ...timing,
  symbol: z.string(),
  /** Price the symbol moves to (USD). */
  price: z.number().positive(),
  /** Linear move from the normal price to `price` over this time, and back after `duration`. */
  ramp: durationMs.default(0),
});

const outage = z.object({
  type: z.literal('outage'),
  ...timing,
  source: z.enum(SOURCES),
  /** "503": answer 503; "drop": destroy the connection without an answer. */
  mode: z.enum(['503', 'drop']).default('503'),
});

const apyOutlier = z.object({
  type: z.literal('apy-outlier'),
  ...timing,
  symbol: z.string(),
  /** Index of the symbol's pool in the catalog (0 = its largest). */
  pool: z.number().int().nonnegative().default(0),
  apyBase: z.number(),
});

const malformed = z.object({
  type: z.literal('malformed'),
  ...timing,
  source: z.enum(SOURCES),
  /** Share of responses (or Hermes events) that are malformed, 0..1. */
  rate: z.number().min(0).max(1).default(1),
});

const hermes = z.object({
  type: z.literal('hermes'),
  ...timing,
  /**
   * silent: streams send nothing (no data, no keep-alive); close: streams end (new ones end at once);
   * 404 / 429: new requests are refused (429 with Retry-After); error-frame: streams get an `event:error`
   * frame with `message` and end.
   */
  mode: z.enum(['silent', 'close', '404', '429', 'error-frame']),
  retryAfterSeconds: z.number().int().positive().default(10),
  message: z.string().default('Slow consumer: disconnected'),
});

export const scenarioEventSchema = z.discriminatedUnion('type', [depeg, outage, apyOutlier, malformed, hermes]);
export const scenarioSchema = z.object({ name: z.string().default('unnamed'), events: z.array(scenarioEventSchema) });

export type ScenarioEvent = z.infer<typeof scenarioEventSchema>;
export type Scenario = z.infer<typeof scenarioSchema>;
export type HermesMode = z.infer<typeof hermes>['mode'];

export function parseScenario(input: unknown): { ok: true; scenario: Scenario } | { ok: false; reason: string } {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) return { ok: true, scenario: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return { ok: false, reason: `invalid scenario: ${issues.join('; ')}` };
}

/** A scenario attached to the clock: `startedAt` is when it was loaded (ms). */
export interface LoadedScenario {
  scenario: Scenario;
  startedAt: number;
}

function isActive(event: ScenarioEvent, loaded: LoadedScenario, t: number): boolean {
  const start = loaded.startedAt + event.at;
  return t >= start && (event.duration === undefined || t < start + event.duration);
}

export function activeEvents(loaded: LoadedScenario | null, t: number): ScenarioEvent[] {
  return loaded === null ? [] : loaded.scenario.events.filter((e) => isActive(e, loaded, t));
}

/**
 * Weight in [0, 1] of a depeg at t: ramps up from `at` over `ramp`, holds, and ramps down over `ramp`
 * after `duration` (so the effect lasts duration + ramp in all).
 */
export function depegWeight(
  event: Extract<ScenarioEvent, { type: 'depeg' }>,
  loaded: LoadedScenario,
  t: number,
): number {
  const start = loaded.startedAt + event.at;
  if (t < start) return 0;
  const ramp = event.ramp;
  const up = ramp === 0 ? 1 : Math.min(1, (t - start) / ramp);
  if (event.duration === undefined) return up;
  const end = start + event.duration;
  if (t < end) return up;
  const down = ramp === 0 ? 0 : 1 - (t - end) / ramp;
  return Math.max(0, Math.min(up, down));
}

/** The effects in force at t, in the form the API layer asks about them. */
export interface Effects {
  outage(source: Source): '503' | 'drop' | null;
  malformedRate(source: Source): number;
  hermesMode(): Extract<ScenarioEvent, { type: 'hermes' }> | null;
}

export function effectsAt(loaded: LoadedScenario | null, t: number): Effects {
  const events = activeEvents(loaded, t);
  return {
    outage: (source) =>
      events.find((e): e is Extract<ScenarioEvent, { type: 'outage' }> => e.type === 'outage' && e.source === source)
        ?.mode ?? null,
    malformedRate: (source) =>
      events.reduce((rate, e) => (e.type === 'malformed' && e.source === source ? Math.max(rate, e.rate) : rate), 0),
    hermesMode: () => events.find((e): e is Extract<ScenarioEvent, { type: 'hermes' }> => e.type === 'hermes') ?? null,
  };
}
