import "./src/synth/debug-traces";
import { App } from "cdktf";
import { loadConfig } from "./src/config/load";
import { ConfigError } from "./src/config/validate";
import { buildPlatform } from "./src/platform";
import { StackCheckError } from "./src/stacks/platform-stack";
import { synthesize } from "./src/synth/synthesize";

// Configuration problems, policy violations and cross-stack references are the user's to fix, not
// bugs: print them plainly (every problem, one per line) and exit non-zero without a stack trace.
try {
  const app = new App();
  buildPlatform(app, loadConfig());
  synthesize(app);
} catch (error) {
  if (error instanceof ConfigError || error instanceof StackCheckError || (error instanceof Error && /Encountered Annotations? with level "ERROR"/.test(error.message))) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
