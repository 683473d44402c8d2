// processor-ray: ray measures per symbol and grid point into `ray.calculated`, sharded by symbol
// (libs/stream measure-processor.ts).
import { runMeasureApp } from '@stableyield/stream';
import { loadAppConfig } from './config';

runMeasureApp('ray', loadAppConfig(), process).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
