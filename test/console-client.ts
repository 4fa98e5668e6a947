/** A console user's browser, as plain HTTP: cookies by hand, the page's Origin on posts, forms filled from the page's hidden fields. */
import { expect } from "vitest";
import { parseHtml, type ParsedHtml } from "./html.ts";

export interface ConsoleClient {
  send(path: string, init?: { method?: string; cookie?: string; origin?: string | null; form?: Record<string, string> }): Promise<Response>;
  /** Presses "Sign in" on a sign-in link's page; returns the cookie a browser would send. */
  signIn(path: string): Promise<string>;
  /** A page, parsed (200 expected). */
  page(path: string, cookie: string): Promise<ParsedHtml>;
  /** The hidden fields (csrf, form_id) of the form posting to `action` on the page at `path`, as a browser sends them back. */
  formFields(path: string, cookie: string, action?: string): Promise<Record<string, string>>;
  /** Fills the form posting to `action` on `path` and sends it; returns the answer. */
  post(path: string, cookie: string, action: string, fields: Record<string, string>): Promise<Response>;
}

export function consoleClient(baseUrl: () => string, origin: string): ConsoleClient {
  const send: ConsoleClient["send"] = (path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.cookie) headers.Cookie = init.cookie;
    if (init.method === "POST" && init.origin !== null) headers.Origin = init.origin ?? origin;
    const body = init.form ? new URLSearchParams(init.form) : undefined;
    return fetch(`${baseUrl()}${path}`, { method: init.method ?? "GET", headers, body, redirect: "manual" });
  };
  const page = async (path: string, cookie: string) => {
    const res = await send(path, { cookie });
    const html = await res.text();
    expect(res.status, html).toBe(200);
    return parseHtml(html);
  };
  const formFields = async (path: string, cookie: string, action?: string) => {
    const res = await send(path, { cookie });
    const html = await res.text();
    // The hidden inputs of the form with this action (or the first form that has a form_id).
    const forms = [...html.matchAll(/<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => (action ? f[1] === action : f[2]!.includes('name="form_id"')));
    expect(form, `no form posting to ${action} on ${path}`).toBeDefined();
    return Object.fromEntries(parseHtml(form![2]!).all("input").filter((i) => i.attrs.type === "hidden").map((i) => [i.attrs.name!, i.attrs.value ?? ""]));
  };
  return {
    send,
    page,
    formFields,
    async signIn(path) {
      const res = await send(path, { method: "POST" });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/console");
      return res.headers.get("set-cookie")!.split(";")[0]!;
    },
    async post(path, cookie, action, fields) {
      return send(action, { method: "POST", cookie, form: { ...(await formFields(path, cookie, action)), ...fields } });
    },
  };
}
