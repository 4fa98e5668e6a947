/**
 * Astro middleware: when a page throws, keep the error (so site/render.ts can report what went
 * wrong, not just "500") and answer a bare 500 instead of Astro's error page and log line.
 */
export const RENDER_ERROR = Symbol.for("herald.renderError");

interface Context {
  locals: object;
}

export async function onRequest(context: Context, next: () => Promise<Response>): Promise<Response> {
  try {
    return await next();
  } catch (error) {
    (context.locals as Record<symbol, unknown>)[RENDER_ERROR] = error;
    return new Response(null, { status: 500 });
  }
}
