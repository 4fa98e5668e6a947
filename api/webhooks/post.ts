/** The one way Herald POSTs to a webhook endpoint (deliveries and registration challenges). */

export type PostOutcome =
  | { kind: "answered"; status: number; response: Response }
  | { kind: "timeout" }
  | { kind: "unreachable"; error: string };

/**
 * POSTs JSON without following redirects (a 3xx is the answer, never a hop to somewhere else)
 * and gives up after `timeoutMs`.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; fetch?: typeof fetch | undefined },
): Promise<PostOutcome> {
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "Herald-Webhooks/1", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // Runtimes that hide a manual redirect's status (browsers' "opaqueredirect") still mean a 3xx.
    return { kind: "answered", status: response.type === "opaqueredirect" ? 302 : response.status, response };
  } catch (error) {
    const name = (error as { name?: string })?.name;
    if (name === "TimeoutError" || name === "AbortError") return { kind: "timeout" };
    return { kind: "unreachable", error: String((error as Error)?.cause ?? (error as Error)?.message ?? error).slice(0, 200) };
  }
}

/** `HTTP 503`, or `HTTP 302 (redirects are not followed)`. */
export function describeStatus(status: number): string {
  return status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
}
