import * as assert from "assert/strict";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ProgramError, runProgram } from "../../preflight/program";
import { isSecretValue } from "../helpers";
import { AWS, AWS_PLATFORM, PULUMI } from "../../policies/lib/types";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const options = (preview = false) => ({ project: "platform", stack: "capture", config: { "aws:region": "eu-west-1" }, preview });

class Box extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly alias: aws.kms.Alias;
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
        this.key = new aws.kms.Key(
            `${name}-key`,
            { description: pulumi.secret("hidden") },
            {
                parent: this,
                protect: true,
                ignoreChanges: ["description"],
                additionalSecretOutputs: ["arn"],
                customTimeouts: { create: "5m", delete: "10m" },
                aliases: [{ name: `${name}-old-key` }],
            },
        );
        this.alias = new aws.kms.Alias(
            `${name}-alias`,
            { name: `alias/${name}`, targetKeyId: this.key.keyId },
            {
                parent: this,
                deleteBeforeReplace: true,
                retainOnDelete: true,
            },
        );
        this.registerOutputs({});
    }
}

describe("program runner", () => {
    it("records every resource with its type, parent, inputs, dependencies and options", async () => {
        const run = await runProgram(options(), () => {
            new Box("box");
        });
        const [stack, box, key, alias] = [PULUMI.stack, "test:index:Box", AWS.kmsKey, AWS_PLATFORM.kmsAlias].map((type) =>
            run.resources.find((r) => r.type === type)!,
        );
        assert.equal(box.parent, stack.urn);
        assert.equal(box.custom, false);
        assert.equal(key.parent, box.urn);
        assert.equal(key.urn, "urn:pulumi:capture::platform::test:index:Box$aws:kms/key:Key::box-key");
        assert.ok(isSecretValue(key.inputs.description));
        assert.equal(key.protect, true);
        assert.deepEqual(key.ignoreChanges, ["description"]);
        assert.ok(key.additionalSecretOutputs.includes("arn"));
        assert.deepEqual(key.customTimeouts, { create: "5m", delete: "10m" });
        assert.deepEqual(key.aliases, [{ name: "box-old-key", parentUrn: box.urn }]);
        assert.deepEqual(alias.propertyDependencies.targetKeyId, [key.urn]);
        assert.ok(alias.dependencies.includes(key.urn));
        assert.equal(alias.deleteBeforeReplace, true);
        assert.equal(alias.retainOnDelete, true);
        assert.equal(alias.protect, false);
    });

    it("leaves outputs unknown in preview, as a first `pulumi preview` does", async () => {
        const preview = await runProgram(options(true), () => {
            new Box("box");
        });
        const update = await runProgram(options(false), () => {
            new Box("box");
        });
        const targetKeyId = (run: typeof preview) => run.resources.find((r) => r.type === AWS_PLATFORM.kmsAlias)!.inputs.targetKeyId;
        assert.equal(targetKeyId(preview), UNKNOWN);
        assert.match(String(targetKeyId(update)), /^[0-9a-f-]{36}$/);
    });

    it("turns the event loop after each registration, so I/O (the pack's answers) is not held up by a long program", async () => {
        let turns = 0;
        let running = true;
        const turn = () => {
            turns++;
            if (running) {
                setImmediate(turn);
            }
        };
        setImmediate(turn);
        const run = await runProgram(options(), () => {
            for (let i = 0; i < 20; i++) {
                new aws.kms.Key(`key-${i}`, {});
            }
        });
        running = false;
        assert.equal(run.resources.length, 21);
        assert.ok(turns >= run.resources.length, `${turns} turns of the event loop for ${run.resources.length} registrations`);
    });

    it("reports a program that throws, and a failed output, as the stack's error", async () => {
        await assert.rejects(
            runProgram(options(), () => {
                throw new Error("config is broken");
            }),
            (err: unknown) => err instanceof ProgramError && err.message === "config is broken" && err.resources.length === 1,
        );
        await assert.rejects(
            runProgram(options(), () => {
                const key = new aws.kms.Key("key", {});
                key.arn.apply(() => {
                    throw new Error("an apply failed");
                });
            }),
            (err: unknown) => err instanceof ProgramError && /an apply failed/.test(err.message),
        );
    });
});
