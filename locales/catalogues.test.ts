import { renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { catalogueProblems, placeholdersOf } from "../domain/locale.ts";
import { catalogueFor, catalogueNames, EN, LocaleError, readCatalogue, SHIPPED_LOCALES } from "./catalogues.ts";
import { readConfig, ConfigError } from "../api/config.ts";

describe("the shipped catalogues", () => {
  test("every shipped locale has a catalogue", () => {
    for (const locale of SHIPPED_LOCALES) expect(catalogueNames()).toContain(locale);
  });

  // A missing key, an extra key or a placeholder that differs from en fails here (and so `npm test`).
  test.each(SHIPPED_LOCALES.filter((l) => l !== "en"))("%s has every key of en, with the same placeholders", (locale) => {
    expect(catalogueProblems(EN, readCatalogue(locale))).toEqual([]);
  });

  test.each(SHIPPED_LOCALES.filter((l) => l !== "en"))("%s translates what en writes (only names and symbols stay the same)", (locale) => {
    const catalogue = readCatalogue(locale) as Record<string, unknown>;
    const same = Object.entries(EN).filter(([key, value]) => {
      const text = typeof value === "string" ? value : value.other;
      // Only placeholders and punctuation, or a name such as "RSS" or "Atom": the same in every language.
      const words = text.replace(/\{[a-z_]+\}/g, "").replace(/[\s\p{P}\p{S}]/gu, "");
      return words.length > 0 && !/^(RSS|Atom|Herald|Status|status|Site|iCal|Updates|Maintenance|Impact|Incident|Components)$/.test(words) && JSON.stringify(catalogue[key]) === JSON.stringify(value);
    });
    expect(same.map(([key]) => key)).toEqual([]);
  });
});

describe("PAGE_LOCALE", () => {
  test("picks the catalogue, the language's when the region has none, and refuses what it cannot use", () => {
    expect(catalogueFor("de").locale).toBe("de");
    expect(catalogueFor("pt-br").locale).toBe("pt-BR");
    const austrian = catalogueFor("de-AT");
    expect(austrian.locale).toBe("de-AT");
    expect(austrian.messages["nav.current"]).toBe("Aktueller Status");
    expect(() => catalogueFor("not a tag!")).toThrow(/PAGE_LOCALE must be a BCP 47 language tag/);
    expect(() => catalogueFor("sw")).toThrow(/there is no locales\/sw\.json/);
  });

  test("a configuration error names PAGE_LOCALE in one line", () => {
    expect(() => readConfig({ PAGE_LOCALE: "xx-nope" })).toThrow(ConfigError);
    expect(() => readConfig({ PAGE_LOCALE: "sw" })).toThrow(/^PAGE_LOCALE is "sw" but there is no locales\/sw\.json \(there are: .*\)\.$/);
    expect(readConfig({ PAGE_LOCALE: "ja" }).page.locale).toBe("ja");
    expect(readConfig({}).page.locale).toBe("en");
  });

  test("a catalogue a user adds to locales/ is picked up, and an incomplete one is refused with what is missing", () => {
    // A private-use tag (x-…) is valid BCP 47 whatever the pid is.
    const name = `zz-x-${process.pid}`;
    const path = fileURLToPath(new URL(`./${name}.json`, import.meta.url));
    const write = (catalogue: object) => {
      // Written aside and renamed, so a test reading locales/ at the same moment never sees half a file.
      writeFileSync(`${path}.tmp`, JSON.stringify(catalogue));
      renameSync(`${path}.tmp`, path);
    };
    try {
      write({ ...EN, "nav.current": "Current state of things" });
      const picked = readConfig({ PAGE_LOCALE: name });
      expect(picked.page.locale).toBe(name);
      expect(picked.page.messages["nav.current"]).toBe("Current state of things");
      const { ["nav.history"]: _dropped, ...incomplete } = EN;
      write({ ...incomplete, "bar.uptime": "{percentage} uptime" });
      expect(() => catalogueFor(name)).toThrow(LocaleError);
      expect(() => catalogueFor(name)).toThrow(/"nav\.history" is missing; "bar\.uptime" must use the placeholders \{percent\}/);
    } finally {
      rmSync(path, { force: true });
      rmSync(`${path}.tmp`, { force: true });
    }
  });

  test("placeholders are read across plural forms", () => {
    expect(placeholdersOf({ one: "a day", other: "{count} days" })).toEqual(["count"]);
    expect(catalogueProblems({ a: "x {n}" }, { a: "x", b: "y" })).toEqual(['"a" must use the placeholders {n}, it uses {}', '"b" is not a key en has']);
  });
});
