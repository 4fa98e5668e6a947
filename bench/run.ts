import { benchAlerts } from "./alerts.ts";
import { benchConsole } from "./console.ts";
import { benchEdge } from "./edge.ts";
import { benchFanout } from "./fanout.ts";
import { benchImport } from "./import.ts";
import { benchMachine } from "./machine.ts";
import { benchPublish } from "./publish.ts";
import { benchReport } from "./report.ts";
import { benchServe } from "./serve.ts";
import { removeScratchDirs } from "./lib.ts";
import { benchWrites } from "./write.ts";

// `npm run bench [name…]`: runs the named benchmarks (all by default) and prints their numbers.
const benches: Record<string, () => Promise<void>> = {
  write: () => benchWrites(),
  // BENCH_PUBLISH_SIZES=10,1000 for a quicker run.
  publish: () => benchPublish(process.env.BENCH_PUBLISH_SIZES ? process.env.BENCH_PUBLISH_SIZES.split(",").map(Number) : undefined),
  fanout: () => benchFanout(),
  edge: () => benchEdge(),
  console: () => benchConsole(),
  serve: () => benchServe(),
  alerts: () => benchAlerts(),
  report: () => benchReport(),
  import: () => benchImport(),
};
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(benches);
// First, what the figures below were measured on.
if (names.every((name) => benches[name])) await benchMachine();
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; choose from: ${Object.keys(benches).join(", ")}`);
    process.exit(2);
  }
  try {
    await bench();
  } finally {
    removeScratchDirs();
  }
}
