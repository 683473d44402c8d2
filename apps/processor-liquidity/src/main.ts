// processor-liquidity: liquidity measures per symbol and grid point into `syi.liquidity`, sharded by symbol
// (libs/stream measure-processor.ts).
import { runMeasureApp } from '@stableyield/stream';
import { loadAppConfig } from './config';

runMeasureApp('liquidity', loadAppConfig(), process).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
