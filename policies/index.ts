import "./lib/deserialize-once";
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./rules";

new PolicyPack("platform-checklist", {
    description: "The platform's deployment checklist as enforceable rules: data stores, edge, secrets, workloads, observability, recovery.",
    displayName: "Platform deployment checklist",
    policies: POLICIES,
});
