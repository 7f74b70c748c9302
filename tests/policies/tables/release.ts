import * as path from "path";
import { AWS, K8S } from "../../../policies/lib/types";
import { CaseTable, changed } from "../cases";
import { TestResource } from "../helpers";

/** The artifacts of release 1.4.2 that the preflight's tests read too: every evidence, live and attestation requirement met. */
const RELEASE_EVIDENCE = path.resolve(__dirname, "../../preflight/fixtures/release-1.4.2");

const deployment = (name: string, image: string): TestResource => ({
    type: K8S.deployment,
    name,
    props: { metadata: { name }, spec: { template: { spec: { containers: [{ name, image }] } } } },
});

/** What the evidence is held against: the release the services carry, the images they run, the RTO the backup plan declares. */
const releasing: TestResource[] = [
    { type: K8S.configMap, name: "api-env", props: { metadata: { name: "api-env" }, data: { RELEASE: "1.4.2", NODE_ENV: "production" } } },
    deployment("api", "ghcr.io/acme/api:1.4.2"),
    deployment("worker", "ghcr.io/acme/worker:1.4.2"),
    { type: AWS.backupPlan, name: "plan", props: { rules: [{ ruleName: "daily" }], tags: { RtoHours: "4", RpoHours: "1" } } },
];

// The drills on record are production's; this test stack is named "test".
const anyEnvironment = { "restore-drill": { sameEnvironment: false } };

export const releaseCases: CaseTable = {
    area: "release",
    resource: [],
    stack: [
        {
            policy: "release-evidence",
            config: {
                evidenceDirs: [RELEASE_EVIDENCE],
                asOf: "2026-11-30",
                gate: "release",
                criteria: { "TEST-09": anyEnvironment, "REC-05": anyEnvironment, "REC-08": anyEnvironment },
            },
            compliant: releasing,
            violating: [
                {
                    resources: [...releasing, deployment("billing", "ghcr.io/acme/billing:2.0.0")],
                    message:
                        /3 requirement\(s\) not verified for release:\nSEC-05 missing: .*\nBUILD-01 missing: .*: no scan of ghcr\.io\/acme\/billing:2\.0\.0\nTEST-02 missing/,
                },
                {
                    resources: changed(releasing, "plan", { props: { tags: { RtoHours: "1" } } }),
                    message: /TEST-09 fail: .*it took 95 minutes; the RTO is 1 h\nREC-08 fail:/,
                },
                {
                    resources: changed(releasing, "api-env", { props: { data: { RELEASE: "1.5.0" } } }),
                    message: /MIG-01 missing: .*no succeeded update of staging with release 1\.5\.0[\s\S]*SIGN-01 missing: .*no sign-off of release 1\.5\.0/,
                },
            ],
        },
    ],
};
