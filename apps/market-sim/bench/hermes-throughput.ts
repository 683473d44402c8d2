// Benchmark: how many Hermes feed updates per second the simulator streams. Runs the simulator as a
// child process (so clients do not share its thread) at a given tick rate, opens N SSE clients asking for
// every feed with node:http, counts events for a few seconds, and prints one JSON line.
//   npx tsx apps/market-sim/bench/hermes-throughput.ts [tickRate=500] [clients=4] [seconds=5]
import { get } from 'node:http';
import { ASSETS } from '@stableyield/market-model';
import { startChildSim } from './child-sim';

/** Counts SSE data events (frames end with a blank line) until stopAt. */
function countEvents(url: string, stopAt: number): Promise<{ events: number; bytes: number; endedEarly: boolean }> {
  return new Promise((resolve, reject) => {
    let events = 0;
    let bytes = 0;
    let previousTail = '';
    const req = get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        const text = previousTail + chunk;
        let at = text.indexOf('\n\ndata:');
        // Count frame starts: "data:" at the beginning of the stream or after a blank line.
        if (events === 0 && bytes === Buffer.byteLength(chunk) && text.startsWith('data:')) events++;
        while (at !== -1) {
          events++;
          at = text.indexOf('\n\ndata:', at + 2);
        }
        previousTail = text.slice(-7);
        if (Date.now() >= stopAt) req.destroy();
      });
      res.on('end', () => resolve({ events, bytes, endedEarly: Date.now() < stopAt }));
      res.on('close', () => resolve({ events, bytes, endedEarly: Date.now() < stopAt }));
    });
    req.on('error', (err) => (Date.now() >= stopAt ? resolve({ events, bytes, endedEarly: false }) : reject(err)));
  });
}

async function main(): Promise<void> {
  const [tickRate = 500, clients = 4, seconds = 5] = process.argv.slice(2).map(Number);
  const sim = await startChildSim(tickRate);
  try {
    const url = `${sim.url}/hermes/v2/updates/price/stream?${ASSETS.map((a) => `ids[]=${a.pythId}`).join('&')}`;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: clients }, () => countEvents(url, started + seconds * 1000)),
    );
    const elapsed = (Date.now() - started) / 1000;
    const events = results.reduce((s, r) => s + r.events, 0);
    console.log(
      JSON.stringify({
        benchmark: 'market-sim-hermes-throughput',
        tickRate,
        clients,
        feedsPerEvent: ASSETS.length,
        seconds: elapsed,
        eventsPerSecond: events / elapsed,
        feedUpdatesPerSecond: (events * ASSETS.length) / elapsed,
        expectedFeedUpdatesPerSecond: tickRate * clients * ASSETS.length,
        megabytesPerSecond: results.reduce((s, r) => s + r.bytes, 0) / elapsed / 1e6,
        streamsEndedEarly: results.filter((r) => r.endedEarly).length,
      }),
    );
  } finally {
    sim.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
