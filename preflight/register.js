// Loads TypeScript for the preflight and the policy pack: `node -r ./preflight/register.js file.ts`.
// ts-node transpiles with swc, whose native binding must first be copied into a writable cache
// (HOME or TMPDIR); where neither is writable (a hardened CI container) it transpiles with the
// TypeScript compiler instead: slower to start, same code. `npm test` type-checks everything.
"use strict";

function swcLoads() {
    try {
        require("@swc/core");
        return true;
    } catch {
        return false;
    }
}

require("ts-node").register(swcLoads() ? { swc: true } : { transpileOnly: true });
