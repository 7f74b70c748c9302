import * as assert from "assert/strict";
import { AWS, K8S } from "../../policies/lib/types";
import { RESOURCE_RULES, STACK_RULES } from "../../policies/rules";
import { checkResource, checkStack, TestResource } from "./helpers";

/** Every property name a rule reads, to fill with values of the wrong shape. */
const KEYS = [
    "engine",
    "engineVersion",
    "identifier",
    "storageEncrypted",
    "publiclyAccessible",
    "backupRetentionPeriod",
    "deletionProtection",
    "multiAz",
    "skipFinalSnapshot",
    "finalSnapshotIdentifier",
    "performanceInsightsEnabled",
    "monitoringInterval",
    "monitoringRoleArn",
    "enabledCloudwatchLogsExports",
    "parameterGroupName",
    "vpcSecurityGroupIds",
    "securityGroupIds",
    "parameters",
    "family",
    "nodeType",
    "transitEncryptionEnabled",
    "transitEncryptionMode",
    "atRestEncryptionEnabled",
    "kmsKeyId",
    "authToken",
    "userGroupIds",
    "snapshotRetentionLimit",
    "automaticFailoverEnabled",
    "multiAzEnabled",
    "numCacheClusters",
    "replicasPerNodeGroup",
    "replicationGroupId",
    "ingress",
    "cidrIpv4",
    "cidrIpv6",
    "cidrBlocks",
    "ipv6CidrBlocks",
    "fromPort",
    "toPort",
    "ipProtocol",
    "protocol",
    "type",
    "sslPolicy",
    "certificateArn",
    "defaultActions",
    "loadBalancerType",
    "internal",
    "dropInvalidHeaderFields",
    "accessLogs",
    "enableDeletionProtection",
    "rules",
    "enableKeyRotation",
    "keySpec",
    "customerMasterKeySpec",
    "length",
    "retentionInDays",
    "alarmActions",
    "okActions",
    "actionsEnabled",
    "metricName",
    "metricQueries",
    "dimensions",
    "budgetType",
    "notifications",
    "tags",
    "metadata",
    "spec",
    "data",
    "stringData",
    "policy",
    "resources",
    "versioningConfiguration",
    "requireTls",
    "dbInstanceIdentifier",
    "arnSuffix",
    "arn",
    "blockPublicAcls",
];

const WRONG_VALUES: unknown[] = [null, "x", 7, true, {}, [], [null], [7], { spec: null }];

const junk = (value: unknown) => Object.fromEntries(KEYS.map((k) => [k, value]));
const deepJunk = {
    spec: {
        replicas: "3",
        template: {
            metadata: { labels: 5 },
            spec: {
                securityContext: "x",
                containers: [
                    null,
                    5,
                    "c",
                    { name: 3, image: 9, securityContext: [], resources: "lots", env: "x", envFrom: [null, { configMapRef: 3 }], readinessProbe: "yes" },
                ],
            },
        },
        jobTemplate: "x",
        groups: [null, { rules: "x" }],
        selector: [],
        scaleTargetRef: "api",
        podSelector: 5,
        policyTypes: "Ingress",
    },
    rules: [null, 5, { statement: "x", action: [] }, { statement: { rateBasedStatement: { limit: "many" }, andStatement: { statements: "x" } } }],
    parameters: [null, { name: 5 }],
    defaultActions: [null, { type: 5, redirect: "x" }],
    notifications: [null, "x"],
    metricQueries: [null, { metric: "x" }],
    ingress: [null, { cidrBlocks: "0.0.0.0/0", fromPort: "22" }],
};

describe("policies never throw on missing, null or wrongly typed values", () => {
    for (const rule of RESOURCE_RULES) {
        it(`${rule.name}`, async () => {
            for (const type of rule.resourceTypes) {
                for (const props of [{}, deepJunk, ...WRONG_VALUES.map(junk)]) {
                    await assert.doesNotReject(checkResource(rule.name, { type, name: "junk", props }), `${type} with ${JSON.stringify(props).slice(0, 60)}`);
                }
            }
        });
    }

    it("and say so when a value cannot be judged", async () => {
        const wrong = await checkResource("rds-backup-retention", { type: AWS.rdsInstance, name: "db", props: { backupRetentionPeriod: "seven" } });
        assert.match(wrong[0].message, /backupRetentionPeriod is "seven", not a number/);
        const unknownNode = await checkResource("redis-memory-size", { type: AWS.replicationGroup, name: "c", props: { nodeType: 7 } });
        assert.match(unknownNode[0].message, /cannot tell the memory of node type 7/);
    });

    for (const rule of STACK_RULES) {
        it(`${rule.name} (stack)`, async () => {
            const types = [...new Set([...Object.values(AWS).flat(), ...Object.values(K8S)])];
            for (const value of [undefined, ...WRONG_VALUES]) {
                const resources: TestResource[] = types.map((type, i) => ({ type, name: `junk-${i}`, props: value === undefined ? deepJunk : junk(value) }));
                await assert.doesNotReject(checkStack(rule.name, resources), `stack of ${JSON.stringify(value)}`);
            }
        });
    }
});
