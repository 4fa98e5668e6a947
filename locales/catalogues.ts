/**
 * Where catalogues (locales/<bcp47>.json) come from. On Node every .json file in this folder is
 * read, so a catalogue a user drops here is picked up with no code change; the Worker has no
 * files and registers the catalogues site/build.ts gathered (dist/site/languages.json) instead.
 * `en` is imported as well: it is the reference and the fallback of every surface.
 */
import en from "./en.json" with { type: "json" };
import { canonicalLocale, catalogueProblems, localeCandidates, type Catalogue } from "../domain/locale.ts";

export const EN: Catalogue = en;

/** The locales Herald ships (each tested on every page and mail). */
export const SHIPPED_LOCALES = ["en", "de", "fr", "es", "pt-BR", "ja", "ar"] as const;

let registered: Readonly<Record<string, unknown>> | null = null;

/** Replaces the folder: called by runtimes without a file system (the Worker). */
export function setCatalogueSource(catalogues: Readonly<Record<string, unknown>>): void {
  registered = catalogues;
}

type Fs = { readFileSync(path: URL, encoding: "utf8"): string; readdirSync(path: URL): string[] };
// fs through process.getBuiltinModule, so this module bundles for workerd unchanged.
const fs = (): Fs | undefined => (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process?.getBuiltinModule?.("node:fs") as Fs | undefined;

/** The tags of every catalogue there is, as their files name them ("pt-BR"). */
export function catalogueNames(): string[] {
  if (registered) return Object.keys(registered);
  const files = fs();
  if (!files) return ["en"];
  return files.readdirSync(new URL("./", import.meta.url)).filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -".json".length));
}

/** One catalogue, parsed (only the one asked for is read: a broken file elsewhere does not matter). */
export function readCatalogue(name: string): unknown {
  if (registered) return registered[name];
  const files = fs();
  if (!files) return name === "en" ? en : undefined;
  const text = files.readFileSync(new URL(`./${name}.json`, import.meta.url), "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LocaleError(`locales/${name}.json is not valid JSON: ${(error as Error).message}`);
  }
}

export class LocaleError extends Error {}

/**
 * The catalogue for a PAGE_LOCALE value: its own file, else its language's ("de-AT" takes de.json).
 * Throws a LocaleError naming what is wrong: not a BCP 47 tag, no catalogue, or an incomplete one.
 */
export function catalogueFor(tag: string): { locale: string; messages: Catalogue } {
  const locale = canonicalLocale(tag);
  if (!locale) throw new LocaleError(`PAGE_LOCALE must be a BCP 47 language tag such as en, de or pt-BR, got "${tag}".`);
  const names = catalogueNames();
  const byLower = new Map(names.map((k) => [k.toLowerCase(), k]));
  const found = localeCandidates(locale).map((c) => byLower.get(c.toLowerCase())).find((k) => k !== undefined);
  if (found === undefined) {
    throw new LocaleError(`PAGE_LOCALE is "${locale}" but there is no locales/${locale}.json (there are: ${names.sort().join(", ")}).`);
  }
  const catalogue = readCatalogue(found);
  const problems = catalogueProblems(EN, catalogue);
  if (problems.length > 0) {
    const more = problems.length > 3 ? ` and ${problems.length - 3} more` : "";
    throw new LocaleError(`PAGE_LOCALE is "${locale}" but locales/${found}.json is incomplete: ${problems.slice(0, 3).join("; ")}${more}.`);
  }
  return { locale, messages: catalogue as Catalogue };
}
