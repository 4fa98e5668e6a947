import { describe, expect, it } from "vitest";
import { allowedMethods, templateMatches } from "./allow.ts";

const routes = [
  { method: "ALL", path: "/api/v1/*" },
  { method: "GET", path: "/api/v1/incidents" },
  { method: "POST", path: "/api/v1/incidents" },
  { method: "GET", path: "/api/v1/incidents/:id" },
  { method: "PATCH", path: "/api/v1/incidents/:id" },
  { method: "POST", path: "/api/v1/incidents/:id/updates" },
];

describe("allowedMethods", () => {
  it("lists the methods the routes serve at a path, HEAD with GET, in a stable order", () => {
    expect(allowedMethods(routes, "/api/v1/incidents")).toEqual(["GET", "HEAD", "POST"]);
    expect(allowedMethods(routes, "/api/v1/incidents/abc")).toEqual(["GET", "HEAD", "PATCH"]);
    expect(allowedMethods(routes, "/api/v1/incidents/abc/updates")).toEqual(["POST"]);
  });

  it("is empty for a path no route names (a 404, not a 405)", () => {
    expect(allowedMethods(routes, "/api/v1/nothing")).toEqual([]);
    expect(allowedMethods(routes, "/api/v1/incidents/abc/other")).toEqual([]);
  });

  it("ignores a trailing slash and never lets a parameter match an empty segment", () => {
    expect(allowedMethods(routes, "/api/v1/incidents/")).toEqual(["GET", "HEAD", "POST"]);
    expect(templateMatches("/api/v1/incidents/:id/updates", "/api/v1/incidents//updates")).toBe(false);
  });
});
