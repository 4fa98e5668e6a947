/**
 * Reads Statuspage's management API v1 (shared/reference/statuspage.md §3): `Authorization: OAuth
 * <key>`, pages of at most 100 (a short page is the last), and its rate limit (1 request a second
 * in a 60-second window; 420 or 429 when exceeded) honoured by waiting as long as `Retry-After`
 * says (1 s when it says nothing), as do answers 5xx, a few times.
 */

export const STATUSPAGE_API = "https://api.statuspage.io/v1";

export interface StatuspageClientOptions {
  pageId: string;
  apiKey: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  /** How long to wait (tests pass a fast sleep; the default really waits). */
  sleep?: (ms: number) => Promise<void>;
  /** Retries of one request after 420/429/5xx/network errors before giving up. */
  maxRetries?: number;
  log?: (line: string) => void;
}

export class StatuspageError extends Error {}

type Json = Record<string, any>;

export class StatuspageClient {
  private readonly o: Required<Omit<StatuspageClientOptions, "log">> & { log?: (line: string) => void };
  /** Requests made, and how often the rate limit made us wait. */
  requests = 0;
  waits = 0;

  constructor(options: StatuspageClientOptions) {
    this.o = {
      baseUrl: STATUSPAGE_API,
      fetch: globalThis.fetch,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      maxRetries: 8,
      ...options,
    };
    this.o.baseUrl = this.o.baseUrl.replace(/\/+$/, "");
  }

  /** GET `/pages/<page id><path>` as JSON. */
  async get(path: string, query: Record<string, string | number> = {}): Promise<any> {
    const url = new URL(`${this.o.baseUrl}/pages/${encodeURIComponent(this.o.pageId)}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        this.requests++;
        response = await this.o.fetch(url, { headers: { Authorization: `OAuth ${this.o.apiKey}`, Accept: "application/json" } });
      } catch (error) {
        if (attempt >= this.o.maxRetries) throw new StatuspageError(`GET ${url.pathname} failed: ${(error as Error).message}`);
        await this.o.sleep(1000 * 2 ** Math.min(attempt, 4));
        continue;
      }
      if (response.ok) return response.json();
      const body = await response.text().catch(() => "");
      if ((response.status === 420 || response.status === 429 || response.status >= 500) && attempt < this.o.maxRetries) {
        const after = Number(response.headers.get("Retry-After"));
        const ms = Number.isFinite(after) && after > 0 ? after * 1000 : response.status >= 500 ? 1000 * 2 ** Math.min(attempt, 4) : 1000;
        this.waits++;
        this.o.log?.(`statuspage: HTTP ${response.status} on ${url.pathname}; waiting ${Math.round(ms / 100) / 10} s`);
        await this.o.sleep(ms);
        continue;
      }
      if (response.status === 401 || response.status === 403) throw new StatuspageError(`Statuspage refused the API key (HTTP ${response.status}); use a key from manage.statuspage.io → API info.`);
      if (response.status === 404) throw new StatuspageError(`Statuspage knows no page "${this.o.pageId}" (HTTP 404) at ${url.pathname}.`);
      throw new StatuspageError(`GET ${url.pathname} answered HTTP ${response.status}: ${body.slice(0, 200)}`);
    }
  }

  /** Every item of a paged list, page after page (`limit` or `per_page`, as the endpoint names it). */
  async *paged(path: string, sizeParam: "limit" | "per_page", query: Record<string, string> = {}): AsyncGenerator<Json[]> {
    for (let page = 1; ; page++) {
      const items = (await this.get(path, { ...query, [sizeParam]: 100, page })) as Json[];
      if (!Array.isArray(items)) throw new StatuspageError(`GET ${path} did not answer a list.`);
      if (items.length > 0) yield items;
      if (items.length < 100) return;
    }
  }
}
