// @pulumi/policy's server deserializes a resource's properties (protobuf Struct to JavaScript) anew
// for every policy it asks about the resource: once per resource policy in `analyze`, even for those
// whose types do not include it, and once per stack policy for every resource in `analyzeStack`. With
// 68 resource and 40-odd stack policies that was most of the pack's time and garbage on a large stack.
// Here a request's Struct is deserialized once and the result shared by the policies that read it.
// Policies only read their resource's properties (each still gets its own unknown-checking proxy);
// the shared values are not frozen, since that proxy leaves frozen values unwrapped, unknowns unchecked.
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";

type Deserialize = (struct: Struct, proxySecrets: boolean) => Record<string, unknown>;

/** Makes @pulumi/policy's deserialization of a Struct happen once per Struct; returns whether it could. */
export function deserializeEachStructOnce(module: { deserializeProperties?: unknown }): boolean {
    const original = module.deserializeProperties;
    if (typeof original !== "function" || (original as { once?: boolean }).once) {
        return typeof original === "function";
    }
    const deserialized = new WeakMap<Struct, Record<string, unknown>>();
    const once: Deserialize & { once?: boolean } = (struct, proxySecrets) => {
        // Secrets wrapped in a proxy, or no Struct at all: the library's own path, unchanged.
        if (proxySecrets || struct === null || typeof struct !== "object") {
            return (original as Deserialize)(struct, proxySecrets);
        }
        let props = deserialized.get(struct);
        if (props === undefined) {
            props = (original as Deserialize)(struct, proxySecrets);
            deserialized.set(struct, props);
        }
        return props;
    };
    once.once = true;
    module.deserializeProperties = once;
    return true;
}

// The server calls it through this module's exports object, so replacing the export reaches every call.
deserializeEachStructOnce(require("@pulumi/policy/deserialize"));
