/**
 * Renders routes of the built Astro site (its compiled `app`) to HTML strings, in-process. Shared by
 * Node (site/render.ts loads the build from disk) and the Worker (api/worker.ts bundles it).
 */
import type { RouteData } from "./lib/snapshot.ts";

export interface SiteRenderer {
  /** HTML of one route. Throws when the route does not exist or the page fails (with the page's error as `cause`). */
  render(pathname: string, locals: RouteData): Promise<string>;
  /**
   * The same as UTF-8 bytes, as Astro's response holds them: what the publisher stores, without
   * decoding a page into a string only to encode it again (a megabyte for a long incident's page).
   */
  renderBytes(pathname: string, locals: RouteData): Promise<Uint8Array>;
  /** Hash of every file of the build: changes whenever the site's code or styles change. */
  buildId: string;
}

export interface AstroApp {
  render(request: Request, options?: { locals?: object }): Promise<Response>;
}

/** Must match site/middleware.ts. */
const RENDER_ERROR = Symbol.for("herald.renderError");
/** Requests are only matched against routes; the origin is never shown (absolute links use snapshot.page.url). */
const ORIGIN = "http://herald.invalid";

export function createSiteRenderer(app: AstroApp, buildId: string): SiteRenderer {
  async function renderBytes(pathname: string, locals: RouteData): Promise<Uint8Array> {
    if (!pathname.startsWith("/")) throw new Error(`Cannot render "${pathname}": the path must start with "/".`);
    // A copy: Astro may add to locals, and the middleware leaves a failing page's error on it.
    const pageLocals: RouteData & { [RENDER_ERROR]?: unknown } = { ...locals };
    const response = await app.render(new Request(ORIGIN + pathname), { locals: pageLocals });
    if (response.status !== 200) {
      await response.body?.cancel();
      const cause = pageLocals[RENDER_ERROR];
      const why = cause instanceof Error ? `: ${cause.message}` : response.status === 404 ? ": no such route" : "";
      throw new Error(`Rendering ${pathname} (route "${locals.route}") failed with HTTP ${response.status}${why}`, { cause });
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  const decoder = new TextDecoder();
  const render = async (pathname: string, locals: RouteData) => decoder.decode(await renderBytes(pathname, locals));
  return { render, renderBytes, buildId };
}
