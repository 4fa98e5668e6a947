/**
 * What the subscription routes share: their dependencies, the rate limiters (one pair per app,
 * so subscribing and webhook registration count against the same per-address limit), the
 * refusal they answer with, component checks, and the page helper.
 */
import type { MessageParams, Translate } from "../../domain/locale.ts";
import { wordsOf } from "../../locales/words.ts";
import { subscribableInPageOrder } from "../../domain/component-order.ts";
import type { Context } from "hono";
import type { Database } from "../../db/database.ts";
import { getSubscriber, type SubscriberRecord } from "../../db/queries/subscribers.ts";
import type { Clock } from "../clock.ts";
import type { MailSettings } from "../mail/message.ts";
import { verifyUnsubscribeToken } from "../mail/token.ts";
import type { FieldError } from "../problem.ts";
import { RateLimiter, type RateLimit } from "../http/rate-limit.ts";
import { listComponentViews } from "../service/components.ts";
import { backLink, htmlPage, htmlResponse, p } from "./pages.ts";

export interface SubscriptionDeps {
  db: Database;
  clock: Clock;
  /** Page name/URL and HERALD_SECRET (MailDelivery.settings). */
  settings: MailSettings;
  /** Called after a confirmation mail was enqueued (wakes its sender). */
  onConfirmationQueued?: () => void;
  /** Default 5 per 10 minutes per client IP, 3 per hour per address. */
  limits?: { perIp?: RateLimit; perEmail?: RateLimit };
  /** The published stylesheet path, if any. */
  stylesheet?: () => string | null | undefined;
  /** Webhook registration (`{endpoint, email}`); absent: refused. */
  webhooks?: { allowLoopback: boolean; timeoutMs: number; fetch?: typeof fetch };
  log?: (line: string) => void;
  /**
   * Who is asking, for the per-IP limit; the runtime knows how (Node: the socket's address; Workers:
   * Cloudflare's CF-Connecting-IP, which the edge sets and a client cannot forge). Default: Node's.
   */
  clientIp?: (request: Request, env: unknown) => string | null | undefined;
}

/** Why a request was refused; the route decides whether it becomes a page or a problem response. */
export class Refusal extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly retryAfter: number | undefined;
  /** What a page says instead of `detail` (which the JSON answer keeps in English): a catalogue key and its values. */
  readonly say: { key: string; params?: MessageParams } | undefined;
  constructor(status: number, title: string, detail: string, errors?: FieldError[], retryAfter?: number, say?: { key: string; params?: MessageParams }) {
    super(detail);
    this.say = say;
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

/** What every subscription route module is built from: one per `subscriptionRoutes` call. */
export interface SubscriptionContext {
  deps: SubscriptionDeps;
  db: Database;
  clock: Clock;
  settings: MailSettings;
  log: (line: string) => void;
  /** Subscribe requests per client IP. */
  perIp: RateLimiter;
  /** Subscribe requests per address, and webhook registrations per endpoint. */
  perEmail: RateLimiter;
  /** A small HTML page with the site's name and stylesheet. */
  page: (title: string, body: string, status?: number, headers?: Record<string, string>) => Response;
  /** The page's words (PAGE_LOCALE): every word the subscription pages write. */
  t: Translate;
}

/** What a refusal says on a page: its words in the page's language when it has them. */
export function refusalText(ctx: SubscriptionContext, r: Refusal): string {
  return r.say ? ctx.t(r.say.key, r.say.params) : r.detail;
}

export function subscriptionContext(deps: SubscriptionDeps): SubscriptionContext {
  const { settings } = deps;
  const words = wordsOf(settings);
  const pageOptions = () => ({ pageName: settings.pageName, stylesheet: deps.stylesheet?.() ?? null, words });
  return {
    deps,
    db: deps.db,
    clock: deps.clock,
    settings,
    log: deps.log ?? ((line: string) => console.error(line)),
    perIp: new RateLimiter(deps.limits?.perIp ?? { max: 5, windowMs: 10 * 60_000 }),
    perEmail: new RateLimiter(deps.limits?.perEmail ?? { max: 3, windowMs: 60 * 60_000 }),
    page: (title, body, status = 200, headers = {}) => htmlResponse(htmlPage(pageOptions(), title, body), status, headers),
    t: words.t,
  };
}

/** The request's Content-Type, lowercased ("" when absent). */
export function contentType(c: Context): string {
  return (c.req.header("Content-Type") ?? "").toLowerCase();
}

/** A browser form post (the only bodies the pages' own forms send). */
export function isForm(type: string): boolean {
  return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
}

/** The components one can subscribe to, in the page's order: groups are only headings. */
export async function subscribableComponents(ctx: SubscriptionContext): Promise<{ id: string; name: string }[]> {
  return (await subscribableSections(ctx)).flatMap((s) => s.components);
}

/** The same, grouped as on the page (`group` null for components on their own). */
export async function subscribableSections(ctx: SubscriptionContext): Promise<{ group: string | null; components: { id: string; name: string }[] }[]> {
  return subscribableInPageOrder(await listComponentViews(ctx.db.client)).map((s) => ({
    group: s.group?.name ?? null,
    components: s.components.map((c) => ({ id: c.id, name: c.name })),
  }));
}

const MAX_COMPONENT_IDS = 500;

/** null = everything; refuses ids that are not (non-group) components. */
export async function checkComponents(ctx: SubscriptionContext, ids: unknown): Promise<string[] | null> {
  if (ids === undefined || ids === null) return null;
  const list = Array.isArray(ids) ? ids : [ids];
  if (list.length > MAX_COMPONENT_IDS || !list.every((id) => typeof id === "string")) {
    throw new Refusal(422, "Unprocessable Content", "component_ids must be a list of component ids.", [{ field: "component_ids", message: "must be a list of component ids" }], undefined, { key: "sub.components_invalid" });
  }
  const known = new Set((await subscribableComponents(ctx)).map((c) => c.id));
  const unknown = (list as string[]).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Refusal(422, "Unprocessable Content", "Some component ids are unknown.", unknown.slice(0, 20).map((id) => ({ field: "component_ids", message: `unknown component "${id.slice(0, 40)}"` })), undefined, { key: "sub.components_unknown" });
  }
  const unique = [...new Set(list as string[])];
  return unique.length === 0 ? null : unique;
}

/** The subscriber a signed unsubscribe/manage token names, or null for a forged or unknown one. */
export async function subscriberFor(ctx: SubscriptionContext, token: unknown): Promise<SubscriberRecord | null> {
  const id = typeof token === "string" ? verifyUnsubscribeToken(ctx.settings.secret, token) : null;
  return id ? getSubscriber(ctx.db.client, id) : null;
}

/** The answer to a forged or stale unsubscribe/manage link. */
export function forgedLink(ctx: SubscriptionContext): Response {
  return ctx.page(ctx.t("sub.invalid_title"), p(ctx.t("sub.link_invalid")) + backLink(ctx.t), 400);
}
