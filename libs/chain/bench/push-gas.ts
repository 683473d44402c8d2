// Gas and latency of one push by batch size, on a private anvil with MockPyth (automine).
// Prints one JSON object: per batch size, gas of the first push (feeds created) and of an update
// (feeds exist), and the submit→receipt latency of the update.
//   npx tsx libs/chain/bench/push-gas.ts
import { keccak256, toHex } from 'viem';
import { batchOf, nowS, startChain } from '../test/fixtures';

async function main(): Promise<void> {
  const chain = await startChain();
  const results: {
    feeds: number;
    createGas: string;
    updateGas: string;
    updateGasPerFeed: string;
    updateLatencyMs: number;
  }[] = [];
  try {
    const submitter = chain.submitter();
    for (const size of [1, 2, 4, 8, 16]) {
      const ids = Array.from({ length: size }, (_, i) => keccak256(toHex(`bench-${size}-${i}`)));
      const t = nowS();
      const create = await submitter.submit(batchOf(ids.map((id) => ({ id, price: 100_000_000n, publishTime: t }))));
      const update = await submitter.submit(
        batchOf(ids.map((id) => ({ id, price: 100_100_000n, publishTime: t + 1 }))),
      );
      if (create.status !== 'mined' || update.status !== 'mined')
        throw new Error(`push failed: ${create.status}/${update.status}`);
      results.push({
        feeds: size,
        createGas: create.receipt.gasUsed.toString(),
        updateGas: update.receipt.gasUsed.toString(),
        updateGasPerFeed: (update.receipt.gasUsed / BigInt(size)).toString(),
        updateLatencyMs: update.latencyMs,
      });
    }
  } finally {
    await chain.anvil.stop();
  }
  console.log(JSON.stringify({ bench: 'keeper-push-gas', chain: 'anvil+MockPyth', results }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
