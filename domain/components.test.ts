import { describe, expect, test } from "vitest";
import {
  COMPONENT_STATUSES,
  COMPONENT_STATUS_LABELS,
  componentStatusForMaintenance,
  groupStatus,
  isComponentStatus,
  statusRank,
  statusesAfterResolve,
  worstStatus,
} from "./components.ts";
import type { ComponentStatus } from "./components.ts";

describe("COMPONENT_STATUS_LABELS", () => {
  test("labels every status", () => {
    expect(COMPONENT_STATUS_LABELS).toEqual({
      operational: "Operational",
      degraded_performance: "Degraded Performance",
      partial_outage: "Partial Outage",
      major_outage: "Major Outage",
      under_maintenance: "Under Maintenance",
    });
  });
});

describe("statusRank", () => {
  test("ranks maintenance below any real degradation", () => {
    expect(statusRank("operational")).toBe(0);
    expect(statusRank("under_maintenance")).toBe(1);
    expect(statusRank("degraded_performance")).toBe(2);
    expect(statusRank("partial_outage")).toBe(3);
    expect(statusRank("major_outage")).toBe(4);
  });
});

describe("worstStatus", () => {
  test("nothing at all counts as operational", () => {
    expect(worstStatus([])).toBe("operational");
  });

  test("picks the most degraded status", () => {
    expect(worstStatus(["operational", "partial_outage", "degraded_performance"])).toBe("partial_outage");
    expect(worstStatus(["major_outage", "operational"])).toBe("major_outage");
    expect(worstStatus(["operational", "operational"])).toBe("operational");
  });

  test("real degradation beats maintenance, maintenance beats operational", () => {
    expect(worstStatus(["under_maintenance", "degraded_performance"])).toBe("degraded_performance");
    expect(worstStatus(["degraded_performance", "under_maintenance"])).toBe("degraded_performance");
    expect(worstStatus(["operational", "under_maintenance"])).toBe("under_maintenance");
  });

  test("accepts any iterable, such as a Set or a generator", () => {
    expect(worstStatus(new Set<ComponentStatus>(["operational", "major_outage"]))).toBe("major_outage");
    function* statuses(): Generator<ComponentStatus> {
      yield "degraded_performance";
      yield "under_maintenance";
    }
    expect(worstStatus(statuses())).toBe("degraded_performance");
  });
});

describe("groupStatus", () => {
  test("a group takes its most degraded child's status", () => {
    expect(groupStatus(["operational", "under_maintenance", "operational"])).toBe("under_maintenance");
    expect(groupStatus(["partial_outage", "major_outage"])).toBe("major_outage");
  });

  test("a group without children is operational", () => {
    expect(groupStatus([])).toBe("operational");
  });
});

describe("statusesAfterResolve", () => {
  test("affected components return to operational", () => {
    expect(statusesAfterResolve(["api", "web"], {})).toEqual({ api: "operational", web: "operational" });
  });

  test("a status named in the update wins over the return to operational", () => {
    expect(statusesAfterResolve(["api", "web"], { web: "degraded_performance" })).toEqual({
      api: "operational",
      web: "degraded_performance",
    });
  });

  test("components named in the update but not affected before are included", () => {
    expect(statusesAfterResolve(["api"], { cdn: "partial_outage" })).toEqual({
      api: "operational",
      cdn: "partial_outage",
    });
  });

  test("nothing affected and nothing requested changes nothing", () => {
    expect(statusesAfterResolve([], {})).toEqual({});
  });

  test("repeated ids appear once", () => {
    expect(statusesAfterResolve(["api", "api"], {})).toEqual({ api: "operational" });
  });

  test("does not modify the request", () => {
    const requested: Record<string, ComponentStatus> = { web: "major_outage" };
    statusesAfterResolve(["api"], requested);
    expect(requested).toEqual({ web: "major_outage" });
  });

  test("an id named __proto__ is kept as data, not as a prototype", () => {
    const result = statusesAfterResolve(["__proto__"], {});
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(result, "__proto__")?.value).toBe("operational");
  });
});

describe("componentStatusForMaintenance", () => {
  test("maps each maintenance status", () => {
    expect(componentStatusForMaintenance("scheduled")).toBeNull();
    expect(componentStatusForMaintenance("in_progress")).toBe("under_maintenance");
    expect(componentStatusForMaintenance("verifying")).toBe("under_maintenance");
    expect(componentStatusForMaintenance("completed")).toBe("operational");
  });
});

describe("isComponentStatus", () => {
  test("accepts the five statuses", () => {
    for (const status of COMPONENT_STATUSES) expect(isComponentStatus(status)).toBe(true);
    expect(COMPONENT_STATUSES).toHaveLength(5);
  });

  test("refuses anything else", () => {
    expect(isComponentStatus("")).toBe(false);
    expect(isComponentStatus("Operational")).toBe(false);
    expect(isComponentStatus("degraded")).toBe(false);
    expect(isComponentStatus("maintenance")).toBe(false);
    expect(isComponentStatus(0)).toBe(false);
    expect(isComponentStatus(null)).toBe(false);
    expect(isComponentStatus(undefined)).toBe(false);
  });
});
