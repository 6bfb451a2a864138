/** The Harvest HTTP client: public API. */
export { parseLinkHeader } from "./link.ts";
export {
  apiErrorText,
  backoffMs,
  type Classification,
  classifyNetworkError,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  parseHttpDate,
  parseRetryAfter,
  rateLimitWaitMs,
  resetWaitMs,
  type RetryPolicy,
  retryPolicy,
} from "./retry.ts";
export { Pacer, type PacerOptions, type PacerStats } from "./pacer.ts";
export {
  type CandidateBatch,
  type CandidateWrites,
  type Dialect,
  DIALECTS,
  pipeRange,
  type RecordQuery,
  V1_PER_PAGE,
  v1Dialect,
  V3_PER_PAGE,
  v3Dialect,
  withPageSize,
} from "./dialect.ts";
export { type Auth, basicAuth, type TokenFacts } from "./auth.ts";
export { requiredPermission, v1Permission, v3Scope } from "./permissions.ts";
export {
  type ClientCredentials,
  clientCredentialsAuth,
  jwtClaims,
  tokenExpiry,
  tokenFacts,
} from "./oauth.ts";
export {
  type ClientEvent,
  type ClientOptions,
  type ClientResponse,
  type ClientStats,
  type Deadline,
  type DeadlineFactory,
  HarvestClient,
  type LazyPage,
  listNotFound,
  type Page,
  realDeadline,
  type RequestOptions,
  statusOf,
} from "./client.ts";
export { getRecord } from "./records.ts";
export { JsonArrayBytes, splitJsonArray } from "./json_array.ts";
export { ANONYMIZE_FIELD_NAMES } from "./anonymize_fields.ts";
