// ESLint: the recommended rules plus typescript-eslint's type-aware set, each file checked against the
// tsconfig.json nearest to it (the program's, or policies/tsconfig.json for the pack). Formatting is
// Prettier's job (`prettier --check .` in `npm run lint`), so eslint-config-prettier turns off the
// stylistic rules that would argue with it.
import eslint from "@eslint/js";
import { defineConfig } from "eslint/config";
import prettier from "eslint-config-prettier/flat";
import globals from "globals";
import tseslint from "typescript-eslint";

const UNTYPED_INPUT_RULES_OFF = Object.fromEntries(
    ["no-explicit-any", "no-unsafe-argument", "no-unsafe-assignment", "no-unsafe-call", "no-unsafe-member-access", "no-unsafe-return"].map((rule) => [
        `@typescript-eslint/${rule}`,
        "off",
    ]),
);

export default defineConfig(
    { ignores: ["out/", ".preflight-cache/", "policies/bin/", "tests/**/fixtures/"] },
    eslint.configs.recommended,
    tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
    },
    {
        rules: {
            // tsc already fails on unused names (noUnusedLocals, noUnusedParameters in both tsconfigs): one judge.
            "@typescript-eslint/no-unused-vars": "off",
            // The code is CommonJS and uses require() on purpose: the CLIs load their modules only after the
            // options parse, the preflight runs the program's entry point by path, and @pulumi/policy exports
            // UnknownValueError at runtime without declaring it.
            "@typescript-eslint/no-require-imports": "off",
            // The reports and the verifier strip control characters from untrusted text on purpose.
            "no-control-regex": "off",
        },
    },
    {
        // The CommonJS loader and this file belong to no tsconfig: plain JavaScript rules only.
        files: ["**/*.js", "**/*.mjs"],
        extends: [tseslint.configs.disableTypeChecked],
        languageOptions: { globals: globals.node },
    },
    {
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs" },
    },
    {
        // Resource properties arrive untyped: the engine sends any JSON, @pulumi/policy types them
        // Record<string, any>, and so do the SDK's mocks (MockResourceArgs.inputs). The rules check each
        // value's type where they read it (lib/values.ts: numberOf, objectOf, listOf, peek), so `any` here
        // is the protocol boundary, not a shortcut.
        files: ["policies/rules/**/*.ts", "policies/lib/**/*.ts", "policies/readiness/**/*.ts", "preflight/mocks.ts"],
        rules: UNTYPED_INPUT_RULES_OFF,
    },
    {
        // Tests read what the program and the pack produced (the mocks' resource inputs, parsed reports,
        // wire messages) as plain data and assert on its shape; a wrong shape fails the assertion.
        files: ["tests/**/*.ts"],
        rules: UNTYPED_INPUT_RULES_OFF,
    },
    prettier,
);
