import { ChildProcess, spawn } from "child_process";
import * as path from "path";

/** The policy pack could not be started, or answered with an error. */
export class AnalyzerError extends Error {}

/** The pack stopped serving (it died or hung): nothing more can be asked of it in this run. */
export class PackFailure extends AnalyzerError {}

/** The loader that runs TypeScript as the JavaScript compiled once into the project's cache (preflight/register.js). */
export const TS_LOADER = path.join(__dirname, "register.js");
/**
 * The pack's V8 heap limit. Node sizes it from the machine's memory (about 4 GiB here) and collects late, so a pack
 * holding a 20,000-resource stack grew to 1.4 GB, mostly garbage; at 1 GiB it peaks near 0.8 GB with the same
 * verdicts and about the same time. A stack too large for it ends the pack with "heap out of memory", which the
 * preflight reports with exit code 2.
 */
const PACK_HEAP_MIB = 1024;

/** How much of the pack's stderr is kept: enough for its last error. */
const STDERR_KEPT = 64 * 1024;

/** Packs still running, killed when this process exits however it exits. */
const running = new Set<PolicyPackProcess>();
process.on("exit", () => running.forEach((pack) => pack.kill()));

/** The line of a Node.js error report that says what went wrong (`Error: ...`), not where. */
export function firstErrorLine(stderr: string): string {
    const lines = stderr
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("at "));
    return lines.find((line) => /^([\w.]*(Error|Exception)\b|error\b)/i.test(line)) ?? lines[lines.length - 1] ?? "";
}

/** `text` cut to `max` characters, on one line. */
export function shorten(text: string, max = 200): string {
    const line = text.replace(/\s+/g, " ").trim();
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A policy pack started as its own process, the way the Pulumi engine starts one: it serves the
 * analyzer protocol on a local port and prints the port on its first line. Kept free of heavy
 * imports so the CLI can start the pack before it loads anything else.
 */
export class PolicyPackProcess {
    /** The port the pack serves on, once it has started. */
    readonly port: Promise<number>;
    /** Settles when the process has exited and been reaped. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    private output = "";
    private stopping = false;
    private exit?: { code: number | null; signal: NodeJS.Signals | null };

    private constructor(
        private readonly child: ChildProcess,
        timeoutMs: number,
    ) {
        running.add(this);
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (chunk: string) => {
            this.output = (this.output + chunk).slice(-STDERR_KEPT);
        });
        this.exited = new Promise((resolve) => {
            child.on("close", (code, signal) => {
                running.delete(this);
                this.exit = { code, signal };
                resolve(this.exit);
            });
            child.on("error", () => {
                // Never started: there is nothing to reap.
                if (child.pid === undefined) {
                    running.delete(this);
                    this.exit = { code: null, signal: null };
                    resolve(this.exit);
                }
            });
        });
        this.port = new Promise<number>((resolve, reject) => {
            let stdout = "";
            let settled = false;
            const timer = setTimeout(() => fail(`the policy pack did not start within ${timeoutMs / 1000} s`), timeoutMs);
            const fail = (why: string) => {
                if (settled) {
                    return;
                }
                settled = true;
                clearTimeout(timer);
                child.stdout!.removeAllListeners("data");
                this.kill();
                reject(new PackFailure(why));
            };
            child.stdout!.setEncoding("utf8");
            child.stdout!.on("data", (chunk: string) => {
                stdout += chunk;
                if (!stdout.includes("\n")) {
                    return;
                }
                const line = stdout.split("\n")[0].trim();
                if (!/^\d+$/.test(line)) {
                    fail(`the policy pack wrote unexpected output on stdout instead of its port: "${shorten(line, 80)}"`);
                    return;
                }
                settled = true;
                clearTimeout(timer);
                // What a policy prints later is not the protocol's business.
                child.stdout!.removeAllListeners("data");
                child.stdout!.resume();
                resolve(Number(line));
            });
            void this.exited.then(({ code, signal }) => {
                const error = firstErrorLine(this.output);
                fail(`the policy pack exited ${signal ? `on ${signal}` : `with code ${code}`} before serving${error ? `: ${shorten(error)}` : ""}`);
            });
            child.on("error", (err) => fail(`the policy pack could not be started (${err.message})`));
        });
        // Nobody may be waiting yet; the failure is reported when the port is awaited.
        this.port.catch(() => undefined);
    }

    /**
     * Starts the pack in `packDir` (its index.ts through the loader: `npm test` type-checks the pack) with the
     * pack's directory as working directory, where it reads its package.json.
     */
    static spawn(packDir: string, timeoutMs = 60000): PolicyPackProcess {
        const child = spawn(process.execPath, [`--max-old-space-size=${PACK_HEAP_MIB}`, "-r", TS_LOADER, path.join(packDir, "index.ts")], {
            cwd: packDir,
            stdio: ["ignore", "pipe", "pipe"],
        });
        return new PolicyPackProcess(child, timeoutMs);
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    /** What the pack wrote to stderr: the first thing to show when it fails. */
    stderr(): string {
        return this.output.trim();
    }

    /** Why the pack stopped serving, when it exited while it should have been serving; else undefined. */
    death(): string | undefined {
        if (!this.exit || this.stopping) {
            return undefined;
        }
        const { code, signal } = this.exit;
        const tail = this.stderr()
            .split("\n")
            .slice(-5)
            .map((line) => shorten(line))
            .join(" | ");
        return `the policy pack exited ${signal ? `on ${signal}` : `with code ${code}`} during the analysis${tail ? `; its stderr ends: ${tail}` : ""}`;
    }

    /** Kills the process at once (SIGKILL): for exit paths that cannot wait. */
    kill(): void {
        this.stopping = true;
        if (!this.exit && this.child.pid !== undefined) {
            this.child.kill("SIGKILL");
        }
    }

    /** Kills the process and waits until it has been reaped. */
    async stop(): Promise<void> {
        this.kill();
        await this.exited;
    }
}

/** Stops every pack this process started and waits for them: before the process exits on a signal or error. */
export async function stopAllPacks(): Promise<void> {
    await Promise.all([...running].map((pack) => pack.stop()));
}
