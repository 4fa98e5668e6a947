import { describe, expect, it } from "vitest";
import { checkAccent, contrast, darkPartner, DARK_BACKGROUNDS, parseHexColor, worstContrast } from "./contrast.ts";

describe("WCAG contrast", () => {
  it("computes the ratio as WCAG defines it", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#ffffff", "#ffffff")).toBe(1);
    // The page's own link blue on white: 5.19:1.
    expect(contrast("#0969da", "#ffffff")).toBeCloseTo(5.19, 2);
    expect(parseHexColor("#09d")).toEqual([0, 153, 221]);
    expect(parseHexColor("blue")).toBeNull();
  });

  it("accepts an accent that reads in both schemes, deriving the dark one", () => {
    const result = checkAccent("#0969DA");
    expect(result).toMatchObject({ accent: { light: "#0969da" } });
    const { dark } = (result as { accent: { dark: string } }).accent;
    expect(worstContrast(dark, DARK_BACKGROUNDS)).toBeGreaterThanOrEqual(4.5);
    expect(darkPartner("#6f42c1")).not.toBe("#6f42c1");
  });

  it("refuses one that fails, saying by how much and what to do", () => {
    expect(checkAccent("#ffcc00")).toEqual({ error: expect.stringMatching(/^#ffcc00 has a contrast of 1\.\d\d:1 on the page's light background; WCAG AA needs 4\.5:1 .* darker shade$/) });
    expect(checkAccent("#0969da", "#1f2328")).toEqual({ error: expect.stringMatching(/^#1f2328 has a contrast of .* dark background; .* lighter shade$/) });
    expect(checkAccent("teal")).toEqual({ error: 'must be a hex colour such as #0969da, got "teal"' });
  });
});
