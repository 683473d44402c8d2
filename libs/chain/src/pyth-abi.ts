// The part of the Pyth EVM contract (IPyth + AbstractPyth + PythErrors) the keeper uses.
// Hand-written `as const` so viem infers argument and return types; signatures checked against
// @pythnetwork/pyth-sdk-solidity (IPyth.sol, AbstractPyth.sol, PythErrors.sol, IPythEvents.sol).

/** Pyth's `PythStructs.Price`: the one definition of the tuple, for the ABI and the MockPyth payload. */
export const pythPriceTuple = {
  type: 'tuple',
  components: [
    { name: 'price', type: 'int64' },
    { name: 'conf', type: 'uint64' },
    { name: 'expo', type: 'int32' },
    { name: 'publishTime', type: 'uint256' },
  ],
} as const;

export const pythAbi = [
  {
    type: 'function',
    name: 'getPriceUnsafe',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'bytes32' }],
    outputs: [{ name: 'price', ...pythPriceTuple }],
  },
  {
    type: 'function',
    name: 'getEmaPriceUnsafe',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'bytes32' }],
    outputs: [{ name: 'price', ...pythPriceTuple }],
  },
  {
    type: 'function',
    name: 'getPriceNoOlderThan',
    stateMutability: 'view',
    inputs: [
      { name: 'id', type: 'bytes32' },
      { name: 'age', type: 'uint256' },
    ],
    outputs: [{ name: 'price', ...pythPriceTuple }],
  },
  {
    type: 'function',
    name: 'priceFeedExists',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'bytes32' }],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'getValidTimePeriod',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'getUpdateFee',
    stateMutability: 'view',
    inputs: [{ name: 'updateData', type: 'bytes[]' }],
    outputs: [{ name: 'feeAmount', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'updatePriceFeeds',
    stateMutability: 'payable',
    inputs: [{ name: 'updateData', type: 'bytes[]' }],
    outputs: [],
  },
  {
    type: 'function',
    name: 'updatePriceFeedsIfNecessary',
    stateMutability: 'payable',
    inputs: [
      { name: 'updateData', type: 'bytes[]' },
      { name: 'priceIds', type: 'bytes32[]' },
      { name: 'publishTimes', type: 'uint64[]' },
    ],
    outputs: [],
  },
  {
    type: 'event',
    name: 'PriceFeedUpdate',
    anonymous: false,
    inputs: [
      { name: 'id', type: 'bytes32', indexed: true },
      { name: 'publishTime', type: 'uint64', indexed: false },
      { name: 'price', type: 'int64', indexed: false },
      { name: 'conf', type: 'uint64', indexed: false },
    ],
  },
  { type: 'error', name: 'InvalidArgument', inputs: [] },
  { type: 'error', name: 'InvalidUpdateDataSource', inputs: [] },
  { type: 'error', name: 'InvalidUpdateData', inputs: [] },
  { type: 'error', name: 'InsufficientFee', inputs: [] },
  { type: 'error', name: 'NoFreshUpdate', inputs: [] },
  { type: 'error', name: 'PriceFeedNotFoundWithinRange', inputs: [] },
  { type: 'error', name: 'PriceFeedNotFound', inputs: [] },
  { type: 'error', name: 'StalePrice', inputs: [] },
  { type: 'error', name: 'InvalidWormholeVaa', inputs: [] },
] as const;

export type PythErrorName = Extract<(typeof pythAbi)[number], { type: 'error' }>['name'];
