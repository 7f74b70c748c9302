import * as path from "path";
import { ProgramRun, runProgram } from "./program";
import { readStackConfig } from "./stack-config";

export const STACKS = ["staging", "production"] as const;
export type StackName = (typeof STACKS)[number];

/** The project root: where Pulumi.yaml and index.ts live. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface StackPlan extends ProgramRun {
    stack: string;
}

/**
 * Plans a stack offline: reads its stack file and runs the real program (index.ts) under mocks.
 * `overrides` replaces config values (`namespace:key` to string); an `undefined` removes the key.
 */
export async function planStack(stack: string, overrides: Record<string, string | undefined> = {}, projectDir = PROJECT_DIR): Promise<StackPlan> {
    const stackConfig = readStackConfig(projectDir, stack);
    const config = { ...stackConfig.config };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete config[key];
        } else {
            config[key] = value;
        }
    }
    const entryPoint = require.resolve(projectDir);
    const run = await runProgram({ ...stackConfig, config }, () => {
        // The program registers resources when loaded: load it afresh for every stack.
        delete require.cache[entryPoint];
        return require(entryPoint);
    });
    return { stack, ...run };
}
