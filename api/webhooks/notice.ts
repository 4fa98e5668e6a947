import { filledMessage, type MailSettings, type OutgoingMessage } from "../mail/message.ts";
import { renderTemplate, type MessageTemplate, type WebhookQuarantinePlaceholder } from "../mail/template.ts";
import type { DueNotice } from "../../db/queries/webhooks.ts";
import { webhookUnsubscribeUrl } from "./signature.ts";
import { isEnglish } from "../../domain/locale.ts";

/** `30 seconds`, `1 second`, `500 ms`; other locales in their own unit words ("30 Sekunden"). */
export function describeTimeout(ms: number, locale = "en"): string {
  if (!isEnglish(locale)) {
    const whole = ms % 1000 === 0;
    return new Intl.NumberFormat(locale, { style: "unit", unit: whole ? "second" : "millisecond", unitDisplay: whole ? "long" : "short" }).format(whole ? ms / 1000 : ms);
  }
  if (ms % 1000 !== 0) return `${ms} ms`;
  return ms === 1000 ? "1 second" : `${ms / 1000} seconds`;
}

/** The quarantine mail (templates/webhook-quarantine.md) to a subscription's contact address. */
export async function buildQuarantineNotice(settings: MailSettings, template: MessageTemplate<WebhookQuarantinePlaceholder>, notice: DueNotice, timeoutMs: number): Promise<OutgoingMessage> {
  const values: Record<WebhookQuarantinePlaceholder, string> = {
    page_name: settings.pageName,
    endpoint: notice.endpoint,
    failures: String(notice.failures),
    timeout: describeTimeout(timeoutMs, settings.locale),
    last_error: notice.lastError ?? "unknown",
    subscribe_url: `${settings.pageUrl}/subscriptions`,
    unsubscribe_url: await webhookUnsubscribeUrl(settings.secret, settings.pageUrl, notice.subscriptionId),
  };
  return filledMessage(settings, notice.email, renderTemplate(template, values), {});
}
