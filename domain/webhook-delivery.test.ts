import { describe, expect, test } from "vitest";
import { afterFailure, DEFAULT_QUARANTINE, DEFAULT_RETRY, isDelivered, shouldQuarantine } from "./webhook-delivery.ts";

describe("isDelivered", () => {
  test("2xx only: 3xx, 4xx and 5xx are failures", () => {
    expect([200, 201, 202, 204, 299].every(isDelivered)).toBe(true);
    expect([100, 199, 300, 301, 302, 304, 307, 308, 400, 404, 410, 429, 500, 503].some(isDelivered)).toBe(false);
  });
});

describe("afterFailure", () => {
  test("doubles from the base up to the cap, with jitter between half and all of it", () => {
    expect(afterFailure(1, DEFAULT_RETRY, 0)).toEqual({ retryInMs: 15_000 });
    expect(afterFailure(1, DEFAULT_RETRY, 0.5)).toEqual({ retryInMs: 22_500 });
    expect(afterFailure(2, DEFAULT_RETRY, 0.5)).toEqual({ retryInMs: 45_000 });
    expect(afterFailure(3, DEFAULT_RETRY, 0.5)).toEqual({ retryInMs: 90_000 });
    expect(afterFailure(20, DEFAULT_RETRY, 0.5)).toEqual({ retryInMs: 2_700_000 });
    expect((afterFailure(20, DEFAULT_RETRY, 0.9999) as { retryInMs: number }).retryInMs).toBeLessThanOrEqual(3_600_000);
  });

  test("gives up after maxAttempts", () => {
    expect(afterFailure(24, DEFAULT_RETRY, 0.5)).toHaveProperty("retryInMs");
    expect(afterFailure(25, DEFAULT_RETRY, 0.5)).toEqual({ giveUp: true });
    expect(afterFailure(3, { ...DEFAULT_RETRY, maxAttempts: 3 }, 0.5)).toEqual({ giveUp: true });
  });
});

describe("quarantine", () => {
  test("10 failures within an hour", () => {
    expect(shouldQuarantine(9, DEFAULT_QUARANTINE)).toBe(false);
    expect(shouldQuarantine(10, DEFAULT_QUARANTINE)).toBe(true);
  });
});
