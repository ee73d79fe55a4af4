import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import type { ManifestStack } from "./manifest";

/** What is run in each stack folder. */
export type RunCommand = "deploy" | "plan";

export interface RunOptions {
  readonly command: RunCommand;
  /** Stacks in the order to run them (see planOrder). */
  readonly order: readonly ManifestStack[];
  /** The synth output directory holding the manifest (absolute). */
  readonly outputDir: string;
  /** Terraform binary to run. */
  readonly terraform: string;
  /** deploy: apply without asking. @default false (terraform asks on the terminal) */
  readonly autoApprove?: boolean;
  /** plan: plan every stack even after a failure. @default false (stop at the first failure) */
  readonly keepGoing?: boolean;
  /** plan: folder the `<stack>.tfplan` files are written to (absolute). */
  readonly planDir?: string;
  /** Where progress lines go. @default console.log */
  readonly log?: (line: string) => void;
}

export type StackStatus = "succeeded" | "failed" | "interrupted" | "not run";

export interface StackResult {
  readonly stack: string;
  readonly status: StackStatus;
  /** The terraform command that failed or was interrupted, e.g. `terraform init -input=false`. */
  readonly failedCommand?: string;
  /** Exit status of the failed command, or the signal that ended it. */
  readonly exit?: string;
  readonly seconds?: number;
  /** plan: the written plan file, relative to the current directory. */
  readonly planFile?: string;
}

export interface RunReport {
  readonly results: readonly StackResult[];
  /** The signal that stopped the run, if one did. */
  readonly signal?: NodeJS.Signals;
}

/**
 * Runs `terraform init` then `terraform apply` (deploy) or `terraform plan -out` (plan) in each
 * stack's folder, in order. It stops at the first failure unless `keepGoing` (plan only), and at a
 * SIGINT or SIGTERM, which it passes to the running terraform so that it can stop cleanly and
 * release its state lock.
 */
export async function runStacks(options: RunOptions): Promise<RunReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Terraform asks for approval on the terminal unless auto-approved; it then shares our process
  // group, so the terminal's Ctrl-C already reaches it. Otherwise it gets its own group and we pass
  // each signal on exactly once (a second interrupt makes terraform quit without cleaning up).
  const interactive = options.command === "deploy" && !options.autoApprove;
  const signals = new SignalRelay(!interactive);
  if (options.command === "plan" && options.planDir) mkdirSync(options.planDir, { recursive: true });
  const results: StackResult[] = [];
  try {
    let stop = false;
    for (const [index, stack] of options.order.entries()) {
      if (stop || signals.received) {
        results.push({ stack: stack.name, status: "not run" });
        continue;
      }
      log(`\n==> [${index + 1}/${options.order.length}] ${stack.name}`);
      const result = await runStack(stack, options, signals, log);
      results.push(result);
      if (result.status !== "succeeded" && !(options.command === "plan" && options.keepGoing && result.status === "failed")) stop = true;
    }
  } finally {
    signals.dispose();
  }
  return { results, signal: signals.received };
}

async function runStack(stack: ManifestStack, options: RunOptions, signals: SignalRelay, log: (line: string) => void): Promise<StackResult> {
  const cwd = join(options.outputDir, stack.workingDirectory);
  const started = Date.now();
  const steps: string[][] = [["init", "-input=false"]];
  let planFile: string | undefined;
  if (options.command === "deploy") {
    steps.push(options.autoApprove ? ["apply", "-input=false", "-auto-approve"] : ["apply"]);
  } else {
    planFile = join(options.planDir ?? join(options.outputDir, "plans"), `${stack.name}.tfplan`);
    // A plan left from an earlier run must not pass for this run's result.
    rmSync(planFile, { force: true });
    steps.push(["plan", "-input=false", `-out=${planFile}`]);
  }
  for (const args of steps) {
    const commandLine = `terraform ${args.join(" ")}`;
    log(`--> ${stack.name}: ${commandLine}  (in ${shortPath(cwd) || "."})`);
    const outcome = await signals.run(options.terraform, args, cwd);
    if (outcome.code !== 0) {
      const seconds = (Date.now() - started) / 1000;
      const exit = outcome.error ?? (outcome.signal ? `signal ${outcome.signal}` : `exit ${outcome.code}`);
      return { stack: stack.name, status: signals.received ? "interrupted" : "failed", failedCommand: commandLine, exit, seconds };
    }
    if (signals.received) {
      return { stack: stack.name, status: "interrupted", failedCommand: commandLine, exit: `signal ${signals.received}`, seconds: (Date.now() - started) / 1000 };
    }
  }
  return { stack: stack.name, status: "succeeded", seconds: (Date.now() - started) / 1000, planFile: planFile && shortPath(planFile) };
}

/** The path relative to the current directory when it lies inside it, else absolute. */
function shortPath(path: string): string {
  const short = relative(process.cwd(), path);
  return short.startsWith("..") || isAbsolute(short) ? path : short;
}

interface Outcome {
  readonly code: number | null;
  readonly signal?: NodeJS.Signals | null;
  readonly error?: string;
}

/** Runs one child at a time and passes SIGINT / SIGTERM received by this process on to it. */
class SignalRelay {
  received: NodeJS.Signals | undefined;
  private child: ReturnType<typeof spawn> | undefined;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();

  constructor(private readonly ownGroup: boolean) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => this.onSignal(signal);
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  run(command: string, args: string[], cwd: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const child = spawn(command, args, { cwd, stdio: "inherit", detached: this.ownGroup });
      this.child = child;
      child.on("error", (error) => resolve({ code: -1, error: `cannot run ${command}: ${error.message}` }));
      child.on("exit", (code, signal) => {
        this.child = undefined;
        resolve({ code, signal });
      });
    });
  }

  private onSignal(signal: NodeJS.Signals): void {
    this.received ??= signal;
    console.error(`\nreceived ${signal}: waiting for terraform to stop; no further stack will run`);
    // With a shared process group the terminal has sent SIGINT to terraform already.
    if (this.child && (this.ownGroup || signal !== "SIGINT")) this.child.kill(signal);
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
  }
}
