// Preloaded into a benchmarked Node.js process: on exit, writes the process's peak resident memory
// (maxRSS, KiB) to the file named by BENCH_USAGE_FILE.
const fs = require("node:fs");
process.on("exit", () => {
  if (process.env.BENCH_USAGE_FILE) fs.writeFileSync(process.env.BENCH_USAGE_FILE, String(process.resourceUsage().maxRSS));
});
