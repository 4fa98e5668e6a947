/**
 * Node: the logo and favicon files PAGE_LOGO and PAGE_FAVICON name (relative to the working
 * directory, like PUBLIC_DIR), read once at start and handed to the publisher as bytes, published
 * under a content-hashed path (so a new logo is never hidden by a cached old one).
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { MAX_BRAND_FILE_BYTES, type BrandAsset, type PageBrand } from "../brand.ts";
import { ConfigError } from "../config.ts";

function load(variable: string, asset: BrandAsset | null, name: string): BrandAsset | null {
  if (!asset?.source) return asset;
  const path = resolve(asset.source);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ConfigError(`${variable} names a file that cannot be read: ${path}.`);
  }
  if (size > MAX_BRAND_FILE_BYTES) throw new ConfigError(`${variable} is ${Math.round(size / 1024)} KB; at most ${MAX_BRAND_FILE_BYTES / 1024} KB is published (${path}).`);
  const bytes = readFileSync(path);
  const ext = /\.[a-z]+$/i.exec(path)![0].toLowerCase();
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  return { src: `/brand/${name}-${hash}${ext}`, contentType: asset.contentType, base64: bytes.toString("base64") };
}

/** The brand with its files read (a copy; nothing is read when it names none). */
export function loadBrandFiles(brand: PageBrand | undefined): PageBrand | undefined {
  if (!brand) return brand;
  return { ...brand, logo: load("PAGE_LOGO", brand.logo, "logo"), favicon: load("PAGE_FAVICON", brand.favicon, "favicon") };
}
