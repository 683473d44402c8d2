import {
  type BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  FeeCapTooLowError,
  HttpRequestError,
  InsufficientFundsError,
  InvalidInputRpcError,
  NonceTooLowError,
  RpcRequestError,
  TransactionExecutionError,
} from 'viem';
import { pythAbi } from '../pyth-abi';
import { syiFeedAbi } from '../syi-feed-abi';
import { classifyTxError, withRetry } from './errors';

const revert = (errorName: 'NoFreshUpdate' | 'InsufficientFee'): Error =>
  new ContractFunctionExecutionError(
    new ContractFunctionRevertedError({
      abi: pythAbi,
      functionName: 'updatePriceFeedsIfNecessary',
      data: encodeErrorResult({ abi: pythAbi, errorName }),
    }),
    { abi: pythAbi, functionName: 'updatePriceFeedsIfNecessary', args: [] },
  );
const rpc = (message: string, code = -32000): Error =>
  new RpcRequestError({ body: {}, url: 'http://x', error: { code, message } });
const wrapped = (cause: BaseError): Error => new TransactionExecutionError(cause, { account: null });

const syiRevert = (errorName: 'StaleRound' | 'NotUpdater', args: readonly unknown[]): Error =>
  new ContractFunctionExecutionError(
    new ContractFunctionRevertedError({
      abi: syiFeedAbi,
      functionName: 'publish',
      data: encodeErrorResult({ abi: syiFeedAbi, errorName, args: args as never }),
    }),
    { abi: syiFeedAbi, functionName: 'publish', args: [] },
  );

describe('classifyTxError on the SYI feed', () => {
  it('StaleRound (the feed holds this T or a newer one) is already-updated; NotUpdater is a revert', () => {
    expect(classifyTxError(syiRevert('StaleRound', [5n, 6n]))).toBe('already-updated');
    expect(classifyTxError(syiRevert('NotUpdater', ['0x0000000000000000000000000000000000000001']))).toBe('reverted');
  });
});

describe('classifyTxError', () => {
  it.each([
    ['NoFreshUpdate revert', revert('NoFreshUpdate'), 'already-updated'],
    ['another revert', revert('InsufficientFee'), 'reverted'],
    ['viem InsufficientFundsError', wrapped(new InsufficientFundsError()), 'insufficient-funds'],
    ['geth text', rpc('insufficient funds for gas * price + value'), 'insufficient-funds'],
    ['viem NonceTooLowError', wrapped(new NonceTooLowError()), 'nonce-too-low'],
    ['nonce text', rpc('nonce too low: next nonce 5, tx nonce 4'), 'nonce-too-low'],
    ['viem FeeCapTooLowError', wrapped(new FeeCapTooLowError()), 'underpriced'],
    [
      'replacement underpriced as -32602 (Soneium/Alchemy)',
      new InvalidInputRpcError(rpc('replacement transaction underpriced', -32602)),
      'underpriced',
    ],
    ['already known', rpc('already known'), 'already-known'],
    ['HTTP failure', new HttpRequestError({ url: 'http://x', status: 503 }), 'transient'],
    ['plain network error', new Error('fetch failed: ECONNREFUSED'), 'transient'],
    ['something else', new Error('boom'), 'unknown'],
  ])('%s → %s', (_name, err, kind) => {
    expect(classifyTxError(err)).toBe(kind);
  });
});

describe('withRetry', () => {
  it('retries transient errors up to the attempt budget, then throws', async () => {
    let calls = 0;
    const failing = (): Promise<never> => {
      calls++;
      return Promise.reject(new HttpRequestError({ url: 'http://x', status: 502 }));
    };
    await expect(withRetry(failing, { attempts: 3, baseDelayMs: 1 })).rejects.toBeInstanceOf(HttpRequestError);
    expect(calls).toBe(3);
  });

  it('returns once a retry succeeds, and never retries a non-transient error', async () => {
    let calls = 0;
    const flaky = (): Promise<string> =>
      ++calls < 2 ? Promise.reject(new Error('socket hang up')) : Promise.resolve('ok');
    await expect(withRetry(flaky, { attempts: 3, baseDelayMs: 1 })).resolves.toBe('ok');
    let fatal = 0;
    const reverting = (): Promise<never> => {
      fatal++;
      return Promise.reject(revert('NoFreshUpdate'));
    };
    await expect(withRetry(reverting, { attempts: 3, baseDelayMs: 1 })).rejects.toThrow();
    expect(fatal).toBe(1);
  });
});
