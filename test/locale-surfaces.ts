/**
 * What the locale tests share: a fixture whose user content is not English (so any English left
 * on a page is Herald's own), the English phrases a locale must not show, and the text of a page.
 */
import type { ComponentView } from "../api/service/components.ts";
import type { IncidentRecord } from "../db/records.ts";
import type { Catalogue } from "../domain/locale.ts";
import { EN, readCatalogue } from "../locales/catalogues.ts";
import type { SiteSnapshot } from "../site/lib/snapshot.ts";

/** A catalogue of the repository, read and typed. */
export function catalogue(locale: string): Catalogue {
  return readCatalogue(locale) as Catalogue;
}

const forms = (message: Catalogue[string]): string[] => (typeof message === "string" ? [message] : Object.values(message).filter((v): v is string => !!v));

/**
 * The phrases en writes that `locale` says otherwise: each literal run between placeholders with
 * letters in it (two words or more, or one word of six letters or more, so "Atom" or "RSS" do not
 * count), unless the locale's own catalogue uses the same words somewhere.
 */
export function englishPhrases(locale: string): string[] {
  const own = catalogue(locale);
  const ownText = Object.values(own).flatMap(forms).join("\n");
  const phrases = new Set<string>();
  for (const [key, value] of Object.entries(EN)) {
    if (JSON.stringify(own[key]) === JSON.stringify(value)) continue;
    for (const text of forms(value)) {
      for (const segment of text.split(/\{[a-z_]+\}/)) {
        const phrase = segment.replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, "");
        if (!/\p{L}{3,}/u.test(phrase)) continue;
        if (phrase.split(/\s+/).length < 2 && phrase.length < 6) continue;
        if (containsWords(ownText, phrase)) continue;
        phrases.add(phrase);
      }
    }
  }
  return [...phrases].sort();
}

function containsWords(text: string, phrase: string): boolean {
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}])${escaped}(?![\\p{L}])`, "u").test(text);
}

/** The English phrases found in a text (empty: none). */
export function englishIn(text: string, phrases: readonly string[]): string[] {
  return phrases.filter((p) => containsWords(text, p));
}

/** What a reader sees of an HTML page or mail: its text, and the labels of its elements (aria-label, title, alt). */
export function readable(html: string): string {
  return html
    .replace(/<[^>]*?\s(?:aria-label|title|alt)="([^"]*)"[^>]*>/g, " $1 ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ");
}

/**
 * The snapshot with every word people wrote replaced by a symbol (page, components, incidents,
 * updates, notice sections, postmortems), the same record for the same id everywhere, and the
 * resolved incident given a notice and a postmortem so their headings show.
 */
export function neutralSnapshot(snapshot: SiteSnapshot, locale: string, resolvedId: string): { snapshot: SiteSnapshot; incident(record: IncidentRecord): IncidentRecord } {
  const componentNames = new Map(snapshot.components.map((c, i) => [c.id, `Ψ${i}`]));
  const components: ComponentView[] = snapshot.components.map((c) => ({ ...c, name: componentNames.get(c.id)!, description: null }));
  const seen = new Map<string, IncidentRecord>();
  let n = 0;
  const neutral = (i: IncidentRecord): IncidentRecord => {
    let out = seen.get(i.id);
    if (out) return out;
    const newest = Math.max(...i.updates.map((u) => u.seq));
    out = {
      ...i,
      name: `Ω${n++}`,
      updates: i.updates.map((u) => ({
        ...u,
        body: "ω",
        affected: u.affected.map((a) => ({ ...a, name: componentNames.get(a.componentId) ?? "Ψ" })),
        notice: i.id === resolvedId && u.seq === newest ? { impact: "ι", root_cause: "ρ", resolution: "σ", prevention: "φ" } : null,
      })),
      postmortem:
        i.id === resolvedId
          ? { incidentId: i.id, body: "π", actionItems: [], author: "α", createdAt: i.resolvedAt!, updatedAt: new Date(Date.parse(i.resolvedAt!) + 86_400_000).toISOString(), publishedAt: i.resolvedAt!, notifiedAt: null }
          : null,
    };
    seen.set(i.id, out);
    return out;
  };
  const list = (items: IncidentRecord[]) => items.map(neutral);
  const neutralized: SiteSnapshot = {
    ...snapshot,
    page: { ...snapshot.page, name: "Ξ", locale, messages: catalogue(locale) },
    components,
    unresolvedIncidents: list(snapshot.unresolvedIncidents),
    activeMaintenances: list(snapshot.activeMaintenances),
    upcomingMaintenances: list(snapshot.upcomingMaintenances),
    recentIncidents: list(snapshot.recentIncidents),
    latestIncidents: list(snapshot.latestIncidents),
    latestMaintenances: list(snapshot.latestMaintenances),
    feedIncidents: list(snapshot.feedIncidents),
  };
  return { snapshot: neutralized, incident: neutral };
}
