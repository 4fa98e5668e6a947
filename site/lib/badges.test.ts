import { describe, expect, test } from "vitest";
import { badgeSvg, type ShieldsEndpoint } from "./badges.ts";

const badge = (label: string, message: string, color: string): ShieldsEndpoint => ({ schemaVersion: 1, label, message, color, cacheSeconds: 300 });

describe("badgeSvg (drawn once per label, message and colour)", () => {
  test("draws what the badge says, and the same badge the same way every time", () => {
    const first = badgeSvg(badge("API", "Operational", "brightgreen"));
    expect(first).toMatch(/^<svg/);
    expect(first).toContain("API");
    expect(first).toContain("Operational");
    expect(badgeSvg(badge("API", "Operational", "brightgreen"))).toBe(first);
  });

  test("a different label, message or colour is a different badge", () => {
    const base = badgeSvg(badge("API", "Operational", "brightgreen"));
    const relabelled = badgeSvg(badge("Website", "Operational", "brightgreen"));
    const reworded = badgeSvg(badge("API", "Partial Outage", "brightgreen"));
    const recoloured = badgeSvg(badge("API", "Operational", "orange"));
    expect(new Set([base, relabelled, reworded, recoloured]).size).toBe(4);
    expect(relabelled).toContain("Website");
    expect(reworded).toContain("Partial Outage");
    // The words cannot run together into another badge's key.
    expect(badgeSvg(badge("A\nB", "C", "red"))).not.toBe(badgeSvg(badge("A", "B\nC", "red")));
  });

  test("past the bound, badges are still drawn right", () => {
    for (let i = 0; i < 1200; i++) expect(badgeSvg(badge(`Component ${i}`, "Operational", "brightgreen"))).toContain(`Component ${i}`);
    expect(badgeSvg(badge("Component 0", "Major Outage", "red"))).toContain("Major Outage");
  });
});
