// processor-peg: peg measures per symbol and grid point into `syi.peg`, sharded by symbol
// (libs/stream measure-processor.ts).
import { runMeasureApp } from '@stableyield/stream';
import { loadAppConfig } from './config';

runMeasureApp('peg', loadAppConfig(), process).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
