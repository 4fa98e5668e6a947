import { describe, expect, test } from "vitest";
import { inPageOrder, subscribableInPageOrder, type Orderable } from "./component-order.ts";

const c = (id: string, position: number, over: Partial<Orderable> = {}): Orderable => ({ id, name: id.toUpperCase(), position, isGroup: false, groupId: null, ...over });

describe("the page's order of components", () => {
  const all = [
    c("web", 3),
    c("eu", 2, { groupId: "regions" }),
    c("us", 1, { groupId: "regions" }),
    c("regions", 2, { isGroup: true }),
    c("api", 1),
    c("orphan", 4, { groupId: "gone" }),
    c("empty", 5, { isGroup: true }),
  ];

  test("top level by position, each group followed by its components by position; an orphan stays", () => {
    expect(inPageOrder(all).map((r) => [r.item.id, r.children.map((k) => k.id)])).toEqual([
      ["api", []],
      ["regions", ["us", "eu"]],
      ["web", []],
      ["orphan", []],
      ["empty", []],
    ]);
  });

  test("equal positions fall back to the name, then the id", () => {
    expect(inPageOrder([c("b", 1), c("a", 1)]).map((r) => r.item.id)).toEqual(["a", "b"]);
  });

  test("what one can subscribe to: the same order, grouped, empty groups left out", () => {
    expect(subscribableInPageOrder(all).map((s) => [s.group?.id ?? null, s.components.map((k) => k.id)])).toEqual([
      [null, ["api"]],
      ["regions", ["us", "eu"]],
      [null, ["web", "orphan"]],
    ]);
  });
});
