// Loads TypeScript for the preflight, the policy pack and verify: `node -r ./preflight/register.js file.ts`.
// Each .ts file runs as the JavaScript swc makes of it, with the project's tsconfig settings (ES2022,
// CommonJS, esModuleInterop), the same transpile ts-node does for `pulumi preview --policy-pack`.
// The JavaScript is kept in .preflight-cache/ under the hash of the source, so a run only reads it:
// `npm ci` fills the cache (the `prepare` script runs this file), a file edited since is compiled on
// first use. Neither ts-node nor TypeScript is loaded at run time. Entries are written to a temporary
// file and renamed, so preflights running at once in one checkout never read a half-written one. In a
// read-only checkout the cache is only read; where swc's native binding cannot load (a hardened CI
// container), files are compiled in memory with TypeScript's transpiler instead: slower, same code.
"use strict";

const { createHash, randomBytes } = require("crypto");
const fs = require("fs");
const path = require("path");

const PROJECT_DIR = path.resolve(__dirname, "..");
/** PREFLIGHT_CACHE_DIR moves it (a test starts from an empty one). */
const CACHE_DIR = process.env.PREFLIGHT_CACHE_DIR ? path.resolve(process.env.PREFLIGHT_CACHE_DIR) : path.join(PROJECT_DIR, ".preflight-cache");
/** What a cached entry depends on besides the source: a change here compiles everything again. */
const COMPILE_VERSION = "es2022-commonjs-interop-1";

const SWC_OPTIONS = {
    swcrc: false,
    module: { type: "commonjs", noInterop: false, strictMode: true, ignoreDynamic: false },
    jsc: {
        parser: { syntax: "typescript", tsx: false, decorators: false, dynamicImport: true },
        target: "es2022",
        keepClassNames: true,
        transform: { useDefineForClassFields: true },
    },
};

let compiler;

/** swc where its native binding loads, else TypeScript's transpiler; each names itself in the cache key. */
function loadCompiler() {
    if (compiler) {
        return compiler;
    }
    try {
        const swc = require("@swc/core");
        compiler = { id: `swc-${swc.version}`, compile: (source, file) => swc.transformSync(source, { ...SWC_OPTIONS, filename: file }).code };
    } catch {
        const ts = require("typescript");
        const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, alwaysStrict: true };
        compiler = { id: `typescript-${ts.version}`, compile: (source, file) => ts.transpileModule(source, { compilerOptions, fileName: file }).outputText };
    }
    return compiler;
}

/** The cache entry of a source: keyed by its content, so an edited file never gets the old code. */
function entryOf(source) {
    const hash = createHash("sha256").update(COMPILE_VERSION).update("\0").update(source).digest("hex");
    return path.join(CACHE_DIR, hash.slice(0, 2), `${hash.slice(2)}.js`);
}

/** Writes `code` as `entry` atomically: another process sees the whole file or none. */
function store(entry, code) {
    const temporary = `${entry}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
        fs.mkdirSync(path.dirname(entry), { recursive: true });
        fs.writeFileSync(temporary, code);
        fs.renameSync(temporary, entry);
    } catch {
        // A read-only checkout: the code is compiled in memory on every run instead.
        fs.rmSync(temporary, { force: true });
    }
}

/** The JavaScript of a TypeScript file: from the cache, or compiled (and cached) now. */
function javascriptOf(file) {
    const source = fs.readFileSync(file, "utf8");
    const entry = entryOf(source);
    try {
        return fs.readFileSync(entry, "utf8");
    } catch {
        const code = loadCompiler().compile(source, file);
        store(entry, code);
        return code;
    }
}

require.extensions[".ts"] = (module, file) => {
    module._compile(javascriptOf(file), file);
};

/**
 * Packages @pulumi/pulumi loads at start for function serialization (closures) and the Automation
 * API, which neither a program under the preflight's mocks nor a policy pack calls. Loading them was
 * about 0.5 s of every process that loads the SDK (TypeScript alone 0.25 s; the Pulumi maintainers made
 * the same cut for `typescript` in pulumi/pulumi#10185). Required from the SDK, each is a stand-in that
 * loads the package on first use, so a program that does serialize a function still gets it.
 */
const DEFERRED = new Set(["typescript", "@npmcli/arborist", "normalize-package-data", "fdir", "execa", "tmp", "upath", "@logdna/tail-file", "js-yaml"]);
const SDK_FILE = /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]/;

/**
 * A module that loads when first touched. It passes TypeScript's import helpers as an ES module, whose
 * `default` is what `__importDefault` would have made of the package, so `import x from` and
 * `import * as x from` see the same values as with the package loaded at once.
 */
function deferred(load) {
    let loaded;
    const real = () => (loaded ??= load());
    // A bound function has no `prototype` of its own, so the stand-in can take the package's keys, calls and `new`.
    return new Proxy(function () {}.bind(null), {
        get(_, key) {
            if (key === "__esModule") {
                return true;
            }
            const module = real();
            return key === "default" && !module.__esModule ? module : Reflect.get(module, key);
        },
        set: (_, key, value) => Reflect.set(real(), key, value),
        has: (_, key) => Reflect.has(real(), key),
        ownKeys: () => Reflect.ownKeys(real()),
        getOwnPropertyDescriptor(_, key) {
            const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
            return descriptor && { ...descriptor, configurable: true };
        },
        defineProperty: (_, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
        deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
        getPrototypeOf: () => Reflect.getPrototypeOf(real()),
        apply: (_, self, args) => Reflect.apply(real(), self, args),
        construct: (_, args) => Reflect.construct(real(), args),
    });
}

const Module = require("module");
const loadModule = Module._load;
Module._load = function (request, parent, isMain) {
    if (DEFERRED.has(request) && parent?.filename && SDK_FILE.test(parent.filename)) {
        return deferred(() => loadModule.call(Module, request, parent, isMain));
    }
    return loadModule.call(this, request, parent, isMain);
};

/** The project's TypeScript that runs under this loader (not the tests: mocha runs them with ts-node). */
const SOURCE_ROOTS = ["index.ts", "components", "preflight", "policies", "verify", "docs"];

function sourcesUnder(entry) {
    const full = path.join(PROJECT_DIR, entry);
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (!stat) {
        return [];
    }
    if (!stat.isDirectory()) {
        return full.endsWith(".ts") && !full.endsWith(".d.ts") ? [full] : [];
    }
    return fs
        .readdirSync(full)
        .filter((name) => name !== "node_modules")
        .flatMap((name) => sourcesUnder(path.join(entry, name)));
}

/** Removes the entries of sources that are gone or changed: a run that still wanted one compiles it again. */
function prune(kept) {
    for (const dir of fs.readdirSync(CACHE_DIR)) {
        for (const name of fs.readdirSync(path.join(CACHE_DIR, dir))) {
            const entry = path.join(CACHE_DIR, dir, name);
            if (!kept.has(entry)) {
                fs.rmSync(entry, { force: true });
            }
        }
    }
}

// `node preflight/register.js` (npm's `prepare`, run by `npm ci`): compile every source into the cache once.
// A file that does not compile is named and left for the run that loads it to report: the install goes on.
if (require.main === module) {
    const files = SOURCE_ROOTS.flatMap(sourcesUnder);
    const kept = new Set();
    for (const file of files) {
        try {
            javascriptOf(file);
            kept.add(entryOf(fs.readFileSync(file, "utf8")));
        } catch (err) {
            console.warn(`preflight: ${path.relative(PROJECT_DIR, file)} does not compile: ${String(err.message ?? err).split("\n")[0]}`);
        }
    }
    try {
        prune(kept);
    } catch {
        // No cache to prune (a read-only checkout): nothing to do.
    }
    console.log(`preflight: ${kept.size} TypeScript files compiled into ${path.relative(process.cwd(), CACHE_DIR) || CACHE_DIR}`);
}
