/**
 * Headers and fallbacks of the public site that do not depend on where it is stored
 * (disk on Node, static assets on Workers).
 */

/** No script at all, not even our own: the page works without JavaScript. */
// Images: the page's own files, and a logo or favicon the company serves over https (PAGE_LOGO,
// PAGE_FAVICON). People's words never become an image: the Markdown renderer drops every one.
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data: https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function securityHeaders(headers: Headers, contentType: string): void {
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  if (contentType.startsWith("text/html")) {
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Frame-Options", "DENY");
  }
}

/** Where the publisher puts the styled "Page not found" (site/pages/not-found.astro). */
export const NOT_FOUND_PATH = "/404";

/** Until a first publish has made the styled page. */
const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found</title><h1>Page not found</h1><p><a href="/">Go to the status page</a></p></html>`;

/**
 * A 404 for an address that names nothing: the published "Page not found" (with the page's header
 * and links) when there is one, else a bare page. Never cached: the address may exist tomorrow.
 */
export async function notFoundPage(request: Request, published?: (request: Request) => Promise<Response | null>): Promise<Response> {
  const styled = published
    ? await published(new Request(new URL(NOT_FOUND_PATH, request.url), { headers: { "Accept-Encoding": request.headers.get("Accept-Encoding") ?? "" } })).catch(() => null)
    : null;
  if (styled?.status === 200) {
    const headers = new Headers(styled.headers);
    for (const name of ["ETag", "Last-Modified"]) headers.delete(name);
    headers.set("Cache-Control", "no-store");
    if (request.method === "HEAD") await styled.body?.cancel();
    return new Response(request.method === "HEAD" ? null : styled.body, { status: 404, headers });
  }
  await styled?.body?.cancel();
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  securityHeaders(headers, "text/html");
  return new Response(request.method === "HEAD" ? null : NOT_FOUND_PAGE, { status: 404, headers });
}
