import type { Catalogue } from "../../domain/locale.ts";

/** What every mail needs from configuration (read once in api/mail/index.ts). */
export interface MailSettings {
  /** PAGE_NAME */
  pageName: string;
  /** PAGE_URL, without a trailing slash. */
  pageUrl: string;
  /** PAGE_TIME_ZONE (IANA). */
  timeZone: string;
  /** The From header, e.g. `Example Status <status@example.com>`. */
  from: string;
  /** Secret for unsubscribe tokens (HERALD_SECRET). */
  secret: string;
  /** PAGE_LOGO_URL: an https image shown beside the page's name at the top of every mail. */
  logoUrl?: string | null;
  /** SUPPORT_EMAIL: the seed's "Please contact … with any questions" in every customer notice. */
  supportEmail?: string | null;
  /** PAGE_LOCALE and its catalogue: the mail's fixed words and dates (absent: en). */
  locale?: string;
  messages?: Catalogue;
}
