import * as path from "path";
import { ProgramRun, runProgram } from "./program";
import { readStackConfig } from "./stack-config";

export { STACKS } from "./stacks";

/** The project root: where Pulumi.yaml and index.ts live. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface StackPlan extends ProgramRun {
    stack: string;
}

export interface PlanOptions {
    /** Replaces config values (`namespace:key` to string); an `undefined` removes the key. */
    overrides?: Record<string, string | undefined>;
    /** Plan as a first `pulumi preview`: outputs not known before creation stay unknown. */
    preview?: boolean;
    projectDir?: string;
}

/** Plans a stack offline: reads its stack file and runs the real program (index.ts) under mocks. */
export async function planStack(stack: string, { overrides = {}, preview = false, projectDir = PROJECT_DIR }: PlanOptions = {}): Promise<StackPlan> {
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
    const run = await runProgram({ ...stackConfig, config, preview, rootDirectory: projectDir }, () => {
        // The program registers resources when loaded: load it afresh for every stack.
        delete require.cache[entryPoint];
        return require(entryPoint);
    });
    return { stack, ...run };
}
