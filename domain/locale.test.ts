import { describe, expect, test } from "vitest";
import { canonicalLocale, directionOf, localeCandidates, translator } from "./locale.ts";

describe("translator", () => {
  const en = { hello: "Hello {name}", days: { one: "{count} day", other: "{count} days", zero: "no days" } };

  test("fills placeholders and picks the plural form by Intl.PluralRules, numbers in the locale's digits", () => {
    const t = translator("en", en);
    expect(t("hello", { name: "Ada" })).toBe("Hello Ada");
    expect(t("days", { count: 1 })).toBe("1 day");
    expect(t("days", { count: 1500 })).toBe("1,500 days");
    expect(t("days", { count: 0 })).toBe("no days");
    expect(translator("de", { days: { one: "{count} Tag", other: "{count} Tage" } })("days", { count: 1500 })).toBe("1.500 Tage");
  });

  test("Arabic has its six forms", () => {
    const t = translator("ar", { d: { zero: "z", one: "o", two: "t", few: "f {count}", many: "m {count}", other: "x {count}" } });
    expect([0, 1, 2, 3, 11, 100].map((count) => t("d", { count }))).toEqual(["z", "o", "t", "f 3", "m 11", "x 100"]);
  });

  test("a key the catalogue lacks comes from the fallback; an unknown key is an error", () => {
    const t = translator("de", { hello: "Hallo {name}" }, en);
    expect(t("days", { count: 2 })).toBe("2 days");
    expect(() => t("nope")).toThrow(/No message "nope"/);
  });
});

describe("locale tags", () => {
  test("direction, canonical form and candidates", () => {
    expect(directionOf("ar")).toBe("rtl");
    expect(directionOf("ar-EG")).toBe("rtl");
    expect(directionOf("de")).toBe("ltr");
    expect(directionOf("ja")).toBe("ltr");
    expect(canonicalLocale("pt-br")).toBe("pt-BR");
    expect(canonicalLocale("not a tag!")).toBeNull();
    expect(localeCandidates("pt-BR")).toEqual(["pt-BR", "pt"]);
  });
});
