// Entry point: runs the preflight (main.ts) as a process. Every way out (done, failed, SIGINT, SIGTERM,
// an uncaught error) stops the pack and waits until its process is gone.
import { preflight } from "./main";
import { shorten, stopAllPacks } from "./pack-process";

let exiting = false;

/** Stops the packs, then exits; the first way out wins. */
function exitWith(code: number, message?: string): void {
    if (exiting) {
        return;
    }
    exiting = true;
    if (message) {
        console.error(message);
    }
    // A pack that does not go within 5 s is killed again by the exit handler of pack-process.ts.
    const giveUp = setTimeout(() => process.exit(code), 5000);
    void stopAllPacks().finally(() => {
        clearTimeout(giveUp);
        process.exit(code);
    });
}

process.on("SIGINT", () => exitWith(130, "preflight: interrupted (SIGINT)"));
process.on("SIGTERM", () => exitWith(143, "preflight: terminated (SIGTERM)"));
process.on("uncaughtException", (err) => exitWith(2, `preflight: unexpected failure: ${shorten(err?.message ?? String(err), 300)}`));

void preflight(process.argv.slice(2)).then(async ({ exitCode, stdout, stderr }) => {
    // Written in full before the process exits, also into a pipe that a slow reader drains.
    await new Promise((resolve) => process.stdout.write(stdout, resolve));
    stderr.forEach((line) => console.error(line));
    exitWith(exitCode);
});
