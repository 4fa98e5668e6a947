/**
 * Headers and fallbacks of the public site that do not depend on where it is stored
 * (disk on Node, static assets on Workers).
 */

/** No script at all, not even our own: the page works without JavaScript. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function securityHeaders(headers: Headers, contentType: string): void {
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  if (contentType.startsWith("text/html")) {
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Frame-Options", "DENY");
  }
}

const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found</title><h1>Page not found</h1><p><a href="/">Go to the status page</a></p></html>`;

export function notFoundPage(request: Request): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  securityHeaders(headers, "text/html");
  return new Response(request.method === "HEAD" ? null : NOT_FOUND_PAGE, { status: 404, headers });
}
