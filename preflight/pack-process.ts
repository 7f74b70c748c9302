import { ChildProcess, spawn } from "child_process";
import * as path from "path";

/** The policy pack could not be started, or answered with an error. */
export class AnalyzerError extends Error {}

/**
 * A policy pack started as its own process, the way the Pulumi engine starts one: it serves the
 * analyzer protocol on a local port and prints the port on its first line. Kept free of heavy
 * imports so the CLI can start the pack before it loads anything else.
 */
export class PolicyPackProcess {
    /** The port the pack serves on, once it has started. */
    readonly port: Promise<number>;
    private output = "";

    private constructor(private readonly child: ChildProcess, timeoutMs: number) {
        child.stderr!.on("data", (chunk) => (this.output += chunk));
        this.port = new Promise<number>((resolve, reject) => {
            let stdout = "";
            const timer = setTimeout(() => fail(`the policy pack did not start within ${timeoutMs / 1000} s`), timeoutMs);
            const fail = (why: string) => {
                clearTimeout(timer);
                child.kill();
                reject(new AnalyzerError(`${why}${this.output ? `:\n${this.output.trim()}` : ""}`));
            };
            const onExit = (code: number | null) => fail(`the policy pack exited with code ${code} before serving`);
            child.stdout!.on("data", (chunk) => {
                stdout += chunk;
                const line = stdout.split("\n")[0].trim();
                if (stdout.includes("\n") && /^\d+$/.test(line)) {
                    clearTimeout(timer);
                    child.off("exit", onExit);
                    resolve(Number(line));
                }
            });
            child.on("exit", onExit);
            child.on("error", (err) => fail(`the policy pack could not be started (${err.message})`));
        });
        // Nobody may be waiting yet; the failure is reported when the port is awaited.
        this.port.catch(() => undefined);
    }

    /**
     * Starts the pack in `packDir` (its index.ts through ts-node, transpiled by swc: `npm test` type-checks
     * the pack) with the pack's directory as working directory, where it reads its package.json.
     */
    static spawn(packDir: string, timeoutMs = 60000): PolicyPackProcess {
        const tsNode = require.resolve("ts-node/dist/bin");
        const child = spawn(process.execPath, [tsNode, "--swc", "--project", path.join(packDir, "tsconfig.json"), path.join(packDir, "index.ts")], {
            cwd: packDir,
            stdio: ["ignore", "pipe", "pipe"],
        });
        return new PolicyPackProcess(child, timeoutMs);
    }

    /** What the pack wrote to stderr: the first thing to show when it fails. */
    stderr(): string {
        return this.output.trim();
    }

    kill(): void {
        this.child.kill();
    }
}
