/**
 * What the page's brand publishes and what every page links: the accent as a small stylesheet
 * (/brand-<hash>.css: the page's CSP allows no inline style), the logo and favicon files, and —
 * without a favicon of the company's own — a favicon per status (/favicon-<indicator>.svg), so a
 * pinned tab shows how things are.
 */
import type { Indicator } from "../../domain/indicator.ts";
import type { PageBrand } from "../../api/brand.ts";
import type { FileToPublish } from "../publish/manifest.ts";

const INDICATORS: readonly Indicator[] = ["none", "minor", "major", "critical", "maintenance"];

/** Colours and glyphs as the page's own (site.css --f-*): green tick, amber and orange bang, red cross, blue wrench-dot. */
const FAVICONS: Readonly<Record<Indicator, { fill: string; glyph: string }>> = {
  none: { fill: "#2da44e", glyph: "M9 16.5l4.5 4.5L23 11.5" },
  minor: { fill: "#d4a72c", glyph: "M16 9v9M16 22.5v.5" },
  major: { fill: "#e16f24", glyph: "M16 9v9M16 22.5v.5" },
  critical: { fill: "#cf222e", glyph: "M11 11l10 10M21 11L11 21" },
  maintenance: { fill: "#0969da", glyph: "M11 16h10" },
};

export function faviconPath(indicator: Indicator): string {
  return `/favicon-${indicator}.svg`;
}

export function statusFavicon(indicator: Indicator): string {
  const { fill, glyph } = FAVICONS[indicator];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="${fill}"/><path d="${glyph}" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round" fill="none"/></svg>`;
}

/**
 * The accent's stylesheet: the light scheme's colour, and the dark one's. `html:root` outranks the
 * site's `:root` whatever order the stylesheets load in (Astro puts its own last).
 */
export function brandCss(brand: PageBrand | undefined): string | null {
  const accent = brand?.accent;
  if (!accent) return null;
  return `html:root{--link:${accent.light};--focus:${accent.light}}@media (prefers-color-scheme:dark){html:root{--link:${accent.dark};--focus:${accent.dark}}}\n`;
}

/** A short, stable hash of text (FNV-1a), for cache-busting paths; no crypto needed. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

export function brandCssPath(brand: PageBrand | undefined): string | null {
  const css = brandCss(brand);
  return css ? `/brand-${shortHash(css)}.css` : null;
}

function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Every file the brand publishes (with each publish: unchanged ones cost nothing). */
export function brandFilesToPublish(brand: PageBrand | undefined): FileToPublish[] {
  const files: FileToPublish[] = INDICATORS.map((i) => ({ path: faviconPath(i), body: statusFavicon(i), contentType: "image/svg+xml" }));
  const css = brandCss(brand);
  if (css) files.push({ path: brandCssPath(brand)!, body: css, contentType: "text/css; charset=utf-8", immutable: true });
  for (const asset of [brand?.logo, brand?.favicon]) {
    if (asset?.base64 && asset.src.startsWith("/")) files.push({ path: asset.src, body: decodeBase64(asset.base64), contentType: asset.contentType ?? "application/octet-stream", immutable: true });
  }
  return files;
}
