// @stableyield/chain: the Pyth contract ABI, viem clients over several RPC endpoints, update
// payloads, and the keeper core (price config, push decision, batching, fees, nonces, submitter).
// Test helpers (a private anvil with MockPyth) are in '@stableyield/chain/testing'.
// The viem functions the apps use beside this library's clients: viem is imported here only.
export { createPublicClient, formatEther, formatGwei, getAddress, parseEther } from 'viem';
export { privateKeyToAccount } from 'viem/accounts';
export * from './pyth-abi';
export * from './price-feed';
export * from './pyth-contract';
export * from './rpc/clients';
export * from './keeper/price-config';
export * from './keeper/decision';
export * from './keeper/batch-scheduler';
export * from './tx/fees';
export * from './tx/errors';
export * from './tx/nonce-manager';
export * from './tx/submitter';
export { deployMockPyth, type DeployMockPythParams } from './deploy/deploy-mock-pyth';
export { mockPythArtifact, type ContractArtifact } from './deploy/mock-pyth-artifact';
export * from './syi-feed-abi';
export * from './syi-feed';
export { deploySyiFeed, DEFAULT_SYI_FEED_DESCRIPTION, type DeploySyiFeedParams } from './deploy/deploy-syi-feed';
export * from './keeper/price-keeper';
export * from './keeper/keeper-health';
export * from './keeper/chain-clock';
export * from './keeper/syi-decision';
export * from './keeper/syi-publisher';
