import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..");
// A release number, nothing that lets npm choose: no ^, ~, ranges, tags or URLs.
const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

type Manifest = Partial<Record<"dependencies" | "devDependencies" | "optionalDependencies" | "peerDependencies", Record<string, string>>>;

function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(path.join(root, file), "utf8")) as T;
}

function declared(manifest: Manifest): [string, string][] {
    return [manifest.dependencies, manifest.devDependencies, manifest.optionalDependencies].flatMap((deps) => Object.entries(deps ?? {}));
}

describe("dependency versions", () => {
    const lock = readJson<{ packages: Record<string, Manifest> }>("package-lock.json");

    for (const [manifestFile, lockKey] of [
        ["package.json", ""],
        ["policies/package.json", "policies"],
    ]) {
        it(`${manifestFile} pins every dependency to one version, as package-lock.json records it`, () => {
            const manifest = readJson<Manifest>(manifestFile);
            const ranges = declared(manifest).filter(([, version]) => !EXACT.test(version));
            assert.deepEqual(ranges, [], `${manifestFile}: use exact versions (.npmrc has save-exact=true)`);
            assert.deepEqual(
                Object.fromEntries(declared(lock.packages[lockKey] ?? {})),
                Object.fromEntries(declared(manifest)),
                `package-lock.json is out of step with ${manifestFile}: run npm install`,
            );
        });
    }
});
