import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { setTemplateSource, templateText } from "./source.ts";

test("on Node, template text is read from templates/ on disk", () => {
  expect(templateText("customer-notice.md")).toBe(readFileSync(new URL("./customer-notice.md", import.meta.url), "utf8"));
  expect(() => templateText("no-such-template.md")).toThrow(/no-such-template/);
});

test("a registered source (the Worker's bundled texts) replaces the disk", () => {
  setTemplateSource((file) => `bundled ${file}`);
  expect(templateText("customer-notice.md")).toBe("bundled customer-notice.md");
});
