import { describe, expect, it } from "vitest";
import { normalizeEmail } from "./email.ts";

describe("normalizeEmail", () => {
  it("trims and lowercases the domain, keeping the local part's case", () => {
    expect(normalizeEmail("  Ada.Lovelace@Example.COM ")).toBe("Ada.Lovelace@example.com");
  });

  it.each([
    ["no at sign", "ada.example.com"],
    ["two at signs", "ada@b@example.com"],
    ["empty local part", "@example.com"],
    ["undotted domain", "ada@localhost"],
    ["whitespace inside", "ada lovelace@example.com"],
    ["a control character", "ada\u0007@example.com"],
    ["a display name", "Ada <ada@example.com>"],
    ["a list", "ada@example.com,bob@example.com"],
    ["an over-long local part", `${"a".repeat(65)}@example.com`],
    ["an over-long address", `ada@${"a".repeat(250)}.com`],
  ])("refuses %s", (_why, input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});
