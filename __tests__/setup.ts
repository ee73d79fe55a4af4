import { Testing } from "cdktf";
import { clearBundleCache } from "../src/lambda-packaging/bundle";

// Registers cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, ...).
Testing.setupJest();

// The AWS SDK warns once per process that its releases after January 2027 need Node.js 22; the
// Lambdas run on nodejs22.x, and a test run on an older local Node.js has nothing to act on. This is
// the SDK's own switch for that one warning: every other process warning is still printed.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// A synth bundles the handlers into a per-process folder under .build/ that is removed when the
// process exits. Jest runs every test file in a sandbox whose `process` never sees that exit, and a
// worker runs many files, so each file removes the folder its own synths created.
afterAll(() => clearBundleCache());
