import * as assert from "assert/strict";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { deserializeEachStructOnce } from "../../policies/lib/deserialize-once";

describe("the pack deserializes each resource's properties once", () => {
    it("is in effect on the installed @pulumi/policy (a version that reshapes its module fails here, not silently)", () => {
        const module = require("@pulumi/policy/deserialize") as { deserializeProperties: { once?: boolean } };
        assert.equal(deserializeEachStructOnce(module), true);
        assert.equal(module.deserializeProperties.once, true);
    });

    it("decodes a Struct once and shares the result; secret-proxying calls keep the library's own path", () => {
        let calls = 0;
        const module: { deserializeProperties?: unknown } = {
            deserializeProperties: (struct: Struct) => {
                calls++;
                return struct.toJavaScript();
            },
        };
        deserializeEachStructOnce(module);
        const deserialize = module.deserializeProperties as (struct: Struct, proxySecrets: boolean) => Record<string, unknown>;
        const struct = Struct.fromJavaScript({ engine: "postgres", storageEncrypted: true });
        const first = deserialize(struct, false);
        assert.equal(deserialize(struct, false), first);
        assert.deepEqual(first, { engine: "postgres", storageEncrypted: true });
        assert.equal(calls, 1);
        deserialize(struct, true);
        assert.equal(calls, 2);
        deserialize(Struct.fromJavaScript({ engine: "mysql" }), false);
        assert.equal(calls, 3);
    });
});
