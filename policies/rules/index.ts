import { Policies } from "@pulumi/policy";
import { resourcePolicy, ResourceRule, stackPolicy, StackRule } from "../lib/rule";
import { accessRules } from "./access";
import { applicationRules } from "./application";
import { dataRules } from "./data";
import { edgeRules } from "./edge";
import { kubernetesRules } from "./kubernetes";
import { observabilityRules } from "./observability";
import { recoveryRules } from "./recovery";
import { releaseRules } from "./release";
import { secretsRules } from "./secrets";

const areas: { resource: ResourceRule<any>[]; stack?: StackRule<any>[] }[] = [
    dataRules, edgeRules, secretsRules, accessRules, applicationRules, kubernetesRules, observabilityRules, recoveryRules, releaseRules,
];

export const RESOURCE_RULES: ResourceRule<any>[] = areas.flatMap((a) => a.resource);
export const STACK_RULES: StackRule<any>[] = areas.flatMap((a) => a.stack ?? []);
export const RULES = [...RESOURCE_RULES, ...STACK_RULES];

/** Every rule as a CrossGuard policy. */
export const POLICIES: Policies = [...RESOURCE_RULES.map(resourcePolicy), ...STACK_RULES.map(stackPolicy)];
