/**
 * When a webhook delivery counts as delivered, when it is tried again, and when a subscription is
 * quarantined (Statuspage's rules, shared/reference/statuspage.md §4.1 and §4.3). Pure.
 */

/** A delivery is done only on a 2xx; a 3xx is a failure (redirects are not followed), as is anything slower than the timeout. */
export function isDelivered(httpStatus: number): boolean {
  return httpStatus >= 200 && httpStatus < 300;
}

export interface RetryPolicy {
  /** Delay after the first failure; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** After this many attempts a delivery is given up (status failed). */
  maxAttempts: number;
}

/** 30 s, 1 min, 2 min … capped at an hour; given up after 25 attempts (about a day). */
export const DEFAULT_RETRY: RetryPolicy = { baseBackoffMs: 30_000, maxBackoffMs: 60 * 60_000, maxAttempts: 25 };

/**
 * What happens after failed attempt number `attempts` (1 = the first): a retry after a delay
 * (exponential, with jitter from `random` in [0, 1) so that many receivers failing together do
 * not come back together), or giving up.
 */
export function afterFailure(attempts: number, policy: RetryPolicy, random: number): { retryInMs: number } | { giveUp: true } {
  if (attempts >= policy.maxAttempts) return { giveUp: true };
  const exponential = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  return { retryInMs: Math.round(exponential * (0.5 + random * 0.5)) };
}

export interface QuarantineRule {
  failures: number;
  windowMs: number;
}

/**
 * 10 failed requests within an hour. Failures count over the last `windowMs` and only after the
 * subscription last became active (db/queries/webhooks.ts countFailuresSince), so a reactivation
 * starts with a clean slate.
 */
export const DEFAULT_QUARANTINE: QuarantineRule = { failures: 10, windowMs: 60 * 60_000 };

export function shouldQuarantine(failuresInWindow: number, rule: QuarantineRule): boolean {
  return failuresInWindow >= rule.failures;
}
