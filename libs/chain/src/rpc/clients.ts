// viem clients over several RPC endpoints: WebSocket endpoints first (they reconnect by themselves),
// then HTTP ones, behind viem's `fallback` transport, which moves to the next endpoint when one fails
// with a transport error (a contract revert is not retried elsewhere).
import { socketClientCache } from 'viem/utils';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  webSocket,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';

export interface RpcTransportOptions {
  /** Per-request timeout. */
  timeoutMs?: number;
  /**
   * WebSocket reconnection: attempts and delay between them. Bounded on purpose: viem keeps a dead
   * socket in its cache once attempts run out, and `reviveWebSockets` then replaces it.
   */
  wsReconnectAttempts?: number;
  wsReconnectDelayMs?: number;
  /** Re-rank endpoints by measured latency and stability (useful with many remote endpoints). */
  rank?: boolean;
}

/** RPC_URL may list several endpoints separated by commas or whitespace. */
export function parseRpcUrls(value: string): string[] {
  const urls = value
    .split(/[\s,]+/)
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  for (const url of urls) {
    if (!/^(https?|wss?):\/\//.test(url)) throw new Error(`RPC_URL entry is not an http(s) or ws(s) URL: ${url}`);
  }
  if (urls.length === 0) throw new Error('RPC_URL lists no endpoint');
  return urls;
}

export const isWebSocketUrl = (url: string): boolean => /^wss?:\/\//.test(url);

/** WebSocket endpoints first, HTTP endpoints after, each group in the order given. */
export function createRpcTransport(urls: readonly string[], options: RpcTransportOptions = {}): Transport {
  const timeout = options.timeoutMs ?? 10_000;
  const ordered = [...urls.filter(isWebSocketUrl), ...urls.filter((u) => !isWebSocketUrl(u))];
  const transports = ordered.map((url) =>
    isWebSocketUrl(url)
      ? webSocket(url, {
          timeout,
          retryCount: 0, // the fallback tries the next endpoint instead of hammering this one
          keepAlive: { interval: 15_000 },
          reconnect: { attempts: options.wsReconnectAttempts ?? 5, delay: options.wsReconnectDelayMs ?? 2_000 },
        })
      : http(url, { timeout, retryCount: 0 }),
  );
  if (transports.length === 1) return transports[0] as Transport;
  return fallback(transports, { rank: options.rank ?? false, retryCount: 1, retryDelay: 100 });
}

/** A chain viem can sign for, known only by its id (the keeper works on any EVM chain). */
export function chainFromId(id: number, name = `chain-${id}`): Chain {
  return defineChain({
    id,
    name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
}

export interface ChainClients {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
}

export function createChainClients(params: {
  transport: Transport;
  chain: Chain;
  account: Account;
  pollingIntervalMs?: number;
}): ChainClients {
  const pollingInterval = params.pollingIntervalMs ?? 1_000;
  return {
    publicClient: createPublicClient({ chain: params.chain, transport: params.transport, pollingInterval }),
    walletClient: createWalletClient({
      chain: params.chain,
      transport: params.transport,
      account: params.account,
      pollingInterval,
    }),
  };
}

const WS_CLOSED = 3;

/**
 * Drops viem's cached WebSocket clients whose socket is closed for good (reconnection attempts
 * exhausted), so the next request opens a fresh connection; until it succeeds the fallback keeps
 * serving requests over HTTP. Returns how many were dropped.
 */
export function reviveWebSockets(urls: readonly string[]): number {
  let dropped = 0;
  for (const [id, client] of socketClientCache) {
    const socket = client.socket as { readyState?: number } | undefined;
    if (urls.includes(client.url) && socket?.readyState === WS_CLOSED) {
      client.close();
      socketClientCache.delete(id);
      dropped++;
    }
  }
  return dropped;
}

/** Closes viem's cached WebSocket clients of these URLs (shutdown, tests). */
export function closeWebSockets(urls: readonly string[]): void {
  for (const [id, client] of socketClientCache) {
    if (urls.includes(client.url)) {
      client.close();
      socketClientCache.delete(id);
    }
  }
}

/** Runs reviveWebSockets every intervalMs; returns the function that stops it. */
export function startWebSocketRevival(urls: readonly string[], intervalMs = 30_000): () => void {
  const wsUrls = urls.filter(isWebSocketUrl);
  if (wsUrls.length === 0) return () => undefined;
  const timer = setInterval(() => reviveWebSockets(wsUrls), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
