import { describe, expect, test } from "vitest";
import { checkEndpoint } from "./webhook-endpoint.ts";

const strict = { allowLoopback: false };
const loopback = { allowLoopback: true };

describe("checkEndpoint", () => {
  test("accepts public https URLs and normalizes them", () => {
    expect(checkEndpoint("https://hooks.example.com/herald", strict)).toEqual({ ok: true, url: "https://hooks.example.com/herald", loopback: false });
    expect(checkEndpoint("  HTTPS://Hooks.Example.COM:8443/a?b=1#frag ", strict)).toEqual({ ok: true, url: "https://hooks.example.com:8443/a?b=1", loopback: false });
    expect(checkEndpoint("https://93.184.216.34/hook", strict).ok).toBe(true);
    expect(checkEndpoint("https://[2606:2800:220:1:248:1893:25c8:1946]/hook", strict).ok).toBe(true);
  });

  test("refuses http, other schemes, credentials and junk", () => {
    for (const raw of [
      "http://hooks.example.com/", "ftp://hooks.example.com/", "javascript:alert(1)", "file:///etc/passwd", "hooks.example.com",
      "https://user:pw@hooks.example.com/", "https://hooks.example.com/a b", "https://hooks.example.com/\u0000", "", "   ", `https://e.com/${"a".repeat(2000)}`,
    ]) {
      expect(checkEndpoint(raw, loopback), raw).toMatchObject({ ok: false, message: expect.any(String) });
    }
    expect(checkEndpoint(42, strict).ok).toBe(false);
    expect(checkEndpoint(null, strict).ok).toBe(false);
  });

  test("refuses private, link-local and reserved IPv4 in any spelling", () => {
    for (const host of [
      "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
      "224.0.0.1", "255.255.255.255", "192.0.2.10", "198.18.0.1", "0xa9.0xfe.0xa9.0xfe", "2852039166", "0300.0250.1.1", "10.1",
    ]) {
      expect(checkEndpoint(`https://${host}/hook`, loopback).ok, host).toBe(false);
    }
    // Just outside the private ranges.
    expect(checkEndpoint("https://172.32.0.1/", strict).ok).toBe(true);
    expect(checkEndpoint("https://11.0.0.1/", strict).ok).toBe(true);
  });

  test("refuses private, link-local and mapped IPv6", () => {
    for (const host of ["[::]", "[fc00::1]", "[fd12:3456::1]", "[fe80::1]", "[ff02::1]", "[::ffff:10.0.0.1]", "[::ffff:a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]", "[2001:db8::1]", "[::10.0.0.1]"]) {
      expect(checkEndpoint(`https://${host}/hook`, loopback).ok, host).toBe(false);
    }
  });

  test("refuses names that only mean something inside a network", () => {
    for (const host of ["intranet", "metadata.google.internal", "printer.local", "nas.home.arpa", "localhost.", "db.lan"]) {
      expect(checkEndpoint(`https://${host}/hook`, strict).ok, host).toBe(false);
    }
  });

  test("loopback (http or https) only with the flag", () => {
    for (const raw of ["http://127.0.0.1:8080/hook", "http://localhost:3000/", "https://127.0.0.2/", "http://[::1]:9000/", "http://0x7f.1/", "http://2130706433/"]) {
      expect(checkEndpoint(raw, strict).ok, raw).toBe(false);
      expect(checkEndpoint(raw, loopback), raw).toMatchObject({ ok: true, loopback: true });
    }
    expect(checkEndpoint("http://2130706433:81/x", loopback)).toMatchObject({ ok: true, url: "http://127.0.0.1:81/x" });
    // The flag opens loopback only: other http stays refused.
    expect(checkEndpoint("http://hooks.example.com/", loopback).ok).toBe(false);
  });
});
