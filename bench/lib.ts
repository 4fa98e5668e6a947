import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const scratchDirs = new Set<string>();

/** Helpers shared by the benchmarks: a scratch directory and percentile summaries. */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `herald-bench-${name}-`));
  scratchDirs.add(dir);
  return dir;
}

/**
 * Removes the scratch directories made so far (bench/run.ts, after each benchmark). They used to stay:
 * a publish run left 100,000 files and ~1.5 GB behind, and a disk full of earlier runs' sites
 * made the next run's file creation slower.
 */
export function removeScratchDirs(): void {
  for (const dir of [...scratchDirs]) {
    rmSync(dir, { recursive: true, force: true });
    scratchDirs.delete(dir);
  }
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export function summarize(latenciesMs: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
