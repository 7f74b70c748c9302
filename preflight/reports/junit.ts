import { PreflightResult } from "./model";
import { xml } from "./xml";

/** JUnit XML: a suite per stack, a test case per policy; mandatory violations fail it, disabled policies are skipped. */
export function junitReport(result: PreflightResult): string {
    const suites = result.stacks.map((stack) => {
        const cases = result.pack.policies.map((policy) => {
            const violations = stack.violations.filter((v) => v.policy === policy.name);
            const failing = violations.filter((v) => v.enforcementLevel === "mandatory");
            const disabled = stack.disabledPolicies.includes(policy.name);
            const errors = stack.errors.filter((e) => e.includes(`'${policy.name}'`) || e.includes(`: ${policy.name}: `));
            const body = [
                ...(errors.length > 0
                    ? [
                          `      <error type="policy-error" message="${xml(`${policy.name} could not run: ${errors[0].split("\n")[0]}`)}">${xml(
                              errors.join("\n"),
                          )}</error>`,
                      ]
                    : []),
                ...(failing.length > 0
                    ? [
                          `      <failure type="mandatory" message="${xml(`${failing.length} mandatory violation(s)`)}">${xml(
                              failing.map((v) => `${v.name} (${v.type}): ${v.message}`).join("\n"),
                          )}</failure>`,
                      ]
                    : []),
                ...(violations.length > failing.length
                    ? [
                          `      <system-out>${xml(
                              violations
                                  .filter((v) => v.enforcementLevel !== "mandatory")
                                  .map((v) => `${v.enforcementLevel}: ${v.name}: ${v.message}`)
                                  .join("\n"),
                          )}</system-out>`,
                      ]
                    : []),
                ...(disabled ? ['      <skipped message="disabled by the stack\'s policy config"/>'] : []),
            ];
            const open = `    <testcase classname="${xml(`${result.pack.name}.${stack.stack}`)}" name="${xml(policy.name)}"`;
            return body.length > 0 ? `${open}>\n${body.join("\n")}\n    </testcase>` : `${open}/>`;
        });
        const failures = new Set(stack.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy)).size;
        // Errors no policy's name can be given to (a call for a resource failed as a whole) get a test case of their own.
        const unattributed = stack.errors.filter((e) => !result.pack.policies.some((p) => e.includes(`'${p.name}'`) || e.includes(`: ${p.name}: `)));
        if (unattributed.length > 0) {
            cases.push(
                `    <testcase classname="${xml(`${result.pack.name}.${stack.stack}`)}" name="policy calls">\n` +
                    `      <error type="policy-error" message="${xml(unattributed[0].split("\n")[0])}">${xml(unattributed.join("\n"))}</error>\n    </testcase>`,
            );
        }
        const errored = (cases.join("\n").match(/<error /g) ?? []).length;
        return `  <testsuite name="${xml(stack.stack)}" tests="${cases.length}" failures="${failures}" errors="${errored}">\n${cases.join("\n")}\n  </testsuite>`;
    });
    const failed = result.failures.map(
        (f) =>
            `  <testsuite name="${xml(f.stack)}" tests="1" failures="0" errors="1">\n    <testcase classname="${xml(result.pack.name)}" name="program">\n` +
            `      <error message="${xml(f.message.split("\n")[0])}">${xml(f.message)}</error>\n    </testcase>\n  </testsuite>`,
    );
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(`${result.pack.name} preflight`)}">\n${[...suites, ...failed].join("\n")}\n</testsuites>\n`;
}
