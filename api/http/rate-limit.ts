/**
 * Per-client limits for the forms anyone may post (subscribing, asking for a console sign-in
 * link): a sliding window per key, in memory — one instance per app, so on Workers per isolate.
 */

export interface RateLimit {
  max: number;
  windowMs: number;
}

/** Node's answer to "who is asking": the socket's peer (a client-sent header would be forgeable). */
export function socketClientIp(_request: Request, env: unknown): string | undefined {
  const e = env as { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined;
  return e?.incoming?.socket?.remoteAddress ?? e?.server?.incoming?.socket?.remoteAddress;
}

/** A sliding-window counter per key, in memory. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly limit: RateLimit;
  constructor(limit: RateLimit) {
    this.limit = limit;
  }

  /** Counts a hit; returns 0 when allowed, else the seconds until the next one would be. */
  hit(key: string, now = Date.now()): number {
    const since = now - this.limit.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length >= this.limit.max) {
      this.hits.set(key, list);
      return Math.max(1, Math.ceil((list[0]! + this.limit.windowMs - now) / 1000));
    }
    list.push(now);
    this.hits.delete(key);
    this.hits.set(key, list);
    // Bounded memory: forget the least recently used keys.
    while (this.hits.size > 50_000) this.hits.delete(this.hits.keys().next().value!);
    return 0;
  }
}
