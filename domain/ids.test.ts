import { afterEach, describe, expect, test, vi } from "vitest";
import { isId, isToken, newId, newToken } from "./ids.ts";

/** Replace crypto.getRandomValues: the first fill uses `first`, every later fill uses `later`. */
function stubRandomBytes(first: number, later: number): void {
  let calls = 0;
  vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
    if (array instanceof Uint8Array) array.fill(calls === 0 ? first : later);
    calls += 1;
    return array;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("newId", () => {
  test("is 12 characters of lowercase base36", () => {
    for (let i = 0; i < 200; i += 1) {
      const id = newId();
      expect(id).toMatch(/^[0-9a-z]{12}$/);
      expect(isId(id)).toBe(true);
    }
  });

  test("does not repeat", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId()));
    expect(ids.size).toBe(1000);
  });

  test("maps accepted bytes onto the alphabet", () => {
    stubRandomBytes(0, 0);
    expect(newId()).toBe("000000000000");
    vi.restoreAllMocks();
    stubRandomBytes(35, 0);
    expect(newId()).toBe("zzzzzzzzzzzz");
    vi.restoreAllMocks();
    stubRandomBytes(36, 0);
    expect(newId()).toBe("000000000000");
    vi.restoreAllMocks();
    stubRandomBytes(251, 0);
    expect(newId()).toBe("zzzzzzzzzzzz");
  });

  test("rejects bytes 252-255 and draws again instead of wrapping them", () => {
    for (const rejected of [252, 253, 254, 255]) {
      stubRandomBytes(rejected, 10);
      // Had 252..255 been used modulo 36 they would give "0".."3"; instead the second fill (10 → "a") is used.
      expect(newId()).toBe("aaaaaaaaaaaa");
      expect(globalThis.crypto.getRandomValues).toHaveBeenCalledTimes(2);
      vi.restoreAllMocks();
    }
  });

  test("every character is produced by exactly 7 of the 256 byte values", () => {
    const counts = new Map<string, number>();
    let rejectedBytes = 0;
    for (let byte = 0; byte < 256; byte += 1) {
      stubRandomBytes(byte, 0);
      const id = newId();
      const calls = vi.mocked(globalThis.crypto.getRandomValues).mock.calls.length;
      vi.restoreAllMocks();
      if (calls > 1) {
        rejectedBytes += 1;
        continue;
      }
      const char = id.charAt(0);
      counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(rejectedBytes).toBe(4);
    expect(counts.size).toBe(36);
    expect([...counts.values()].every((count) => count === 7)).toBe(true);
  });
});

describe("isId", () => {
  test("accepts 12 lowercase base36 characters", () => {
    expect(isId("kctbh9vrtdwd")).toBe(true);
    expect(isId("000000000000")).toBe(true);
  });

  test("refuses anything else", () => {
    expect(isId("kctbh9vrtdw")).toBe(false); // 11
    expect(isId("kctbh9vrtdwdx")).toBe(false); // 13
    expect(isId("KCTBH9VRTDWD")).toBe(false);
    expect(isId("kctbh9vrtd-d")).toBe(false);
    expect(isId("kctbh9vrtdwd\n")).toBe(false);
    expect(isId("")).toBe(false);
    expect(isId(123456789012)).toBe(false);
    expect(isId(null)).toBe(false);
    expect(isId(undefined)).toBe(false);
    expect(isId(["kctbh9vrtdwd"])).toBe(false);
  });
});

describe("newToken", () => {
  test("makes 128-bit hex tokens that differ every time", () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newToken()));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(isToken(t)).toBe(true);
    expect(isToken("not-a-token")).toBe(false);
  });
});
