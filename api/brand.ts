/**
 * The page's brand: its accent colour (checked for WCAG AA in both schemes at start), its logo and
 * favicon (an https URL shown as it is, or a file — on Node — copied into the published site under
 * a content-hashed path). Without a favicon, the page's shows its status (site/lib/brand.ts).
 */
import { checkAccent, type Accent } from "../domain/contrast.ts";

export interface BrandAsset {
  /** What pages reference: the https URL, or the published path (/brand/logo-<hash>.svg) once a file is loaded. */
  src: string;
  /** A file to copy into the published site: its path on disk until loaded, then its bytes. */
  source?: string;
  base64?: string;
  contentType?: string;
}

export interface PageBrand {
  accent: Accent | null;
  logo: BrandAsset | null;
  favicon: BrandAsset | null;
}

export const NO_BRAND: PageBrand = { accent: null, logo: null, favicon: null };

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
};

/** Largest logo or favicon file copied into the site. */
export const MAX_BRAND_FILE_BYTES = 512 * 1024;

export class BrandError extends Error {}

export function imageTypeOf(path: string): string | null {
  const ext = /\.[a-z]+$/i.exec(path)?.[0]?.toLowerCase() ?? "";
  return IMAGE_TYPES[ext] ?? null;
}

function asset(variable: string, value: string | undefined): BrandAsset | null {
  const v = value?.trim();
  if (!v) return null;
  if (/^https:\/\//i.test(v)) {
    if (!URL.canParse(v) || /["'<>\s]/.test(v)) throw new BrandError(`${variable} must be an https URL of an image or a file path, got "${v}".`);
    return { src: v };
  }
  if (/^[a-z]+:/i.test(v)) throw new BrandError(`${variable} must be an https URL of an image or a file path, got "${v}".`);
  const contentType = imageTypeOf(v);
  if (!contentType) throw new BrandError(`${variable} must name an image file (.svg, .png, .jpg, .webp, .gif, .ico), got "${v}".`);
  return { src: "", source: v, contentType };
}

/** PAGE_ACCENT, PAGE_ACCENT_DARK, PAGE_LOGO, PAGE_FAVICON as given (pure; files are loaded by the runtime). */
export function readBrand(env: Readonly<Record<string, string | undefined>>): PageBrand {
  let accent: Accent | null = null;
  if (env.PAGE_ACCENT?.trim()) {
    const checked = checkAccent(env.PAGE_ACCENT.trim(), env.PAGE_ACCENT_DARK?.trim() || undefined);
    if ("error" in checked) throw new BrandError(`${env.PAGE_ACCENT_DARK?.trim() && checked.error.includes("dark") ? "PAGE_ACCENT_DARK" : "PAGE_ACCENT"} ${checked.error}.`);
    accent = checked.accent;
  } else if (env.PAGE_ACCENT_DARK?.trim()) {
    throw new BrandError("PAGE_ACCENT_DARK needs PAGE_ACCENT (the light scheme's accent) too.");
  }
  return { accent, logo: asset("PAGE_LOGO", env.PAGE_LOGO), favicon: asset("PAGE_FAVICON", env.PAGE_FAVICON) };
}

/** Whether the brand still names files to load (a runtime without a disk must refuse it). */
export function brandFiles(brand: PageBrand): BrandAsset[] {
  return [brand.logo, brand.favicon].filter((a): a is BrandAsset => !!a?.source);
}
