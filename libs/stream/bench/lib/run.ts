/** Runs a benchmark's main: prints what it returns as one JSON line and exits 0, or prints its error and exits 1. */
export function runBenchmark(main: () => Promise<object>): void {
  main().then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
