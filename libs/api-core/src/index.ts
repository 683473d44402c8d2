export { buildApiApp, type ApiDeps, type ApiOptions } from './app';
export {
  ApiKeyStore,
  CachedKeyLookup,
  ensureApiKeysTable,
  generateKey,
  hashKey,
  KEY_PREFIX,
  API_KEYS_DDL,
  type ApiKeyInfo,
} from './api-keys';
export { Authenticator, credentialsOf, PublicRoutes, type Credentials, type Principal } from './auth';
export {
  DEFAULT_JWT_MAX_LIFETIME_SECONDS,
  jwtSettingsOf,
  signJwt,
  verifyJwt,
  type JwtClaims,
  type JwtSettings,
} from './jwt';
export { FixedWindowLimiter, type RateDecision } from './rate-limit';
export { DEFAULT_AUTH_FAILURES_PER_IP, RequestGuard, type GuardedRequest, type RateLimits } from './request-guard';
export { clientAddress, fastifyTrustProxy, parseTrustProxy, trustProxySetting, type TrustProxy } from './trust-proxy';
export { HttpMetrics } from './http-metrics';
export type { Queryable } from './db';
export * as queries from './queries';
export { canonicalJson, sha256RecordDigest, verifyChain, type ChainReport, type DigestFunction } from './verify';
export { type RouteDeps } from './routes';
export { PAGE_CSP } from './ticker';
export { countConnectionErrors } from './db-metrics';
export { AuditorStatusSource, NOT_AVAILABLE, type IndependentCheck } from './independent-check';
export { CachedOnchainIndex, deviationFromLatestBps, type OnchainIndex, type OnchainIndexReader } from './onchain';
export { chainOnchainReader } from './onchain-reader';
