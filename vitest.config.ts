import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["domain/**/*.test.ts", "locales/**/*.test.ts", "api/**/*.test.ts", "db/**/*.test.ts", "templates/**/*.test.ts", "site/**/*.test.ts", "bin/**/*.test.ts", "test/**/*.test.ts"],
    // Each test file opens its own libSQL file; forks keep native handles isolated.
    pool: "forks",
    // Builds the Astro status page (dist/site) when missing or stale; see test/global-setup.ts.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
  },
});
