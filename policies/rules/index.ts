import { Policies } from "@pulumi/policy";
import { resourcePolicy, ResourceRule, stackPolicy, StackRule } from "../lib/rule";
import { accessRules } from "./access";
import { apiGatewayRules } from "./api-gateway";
import { applicationRules } from "./application";
import { dataRules } from "./data";
import { databaseClientsRules } from "./database-clients";
import { ecsRules } from "./ecs";
import { edgeRules } from "./edge";
import { frontendRules } from "./frontend";
import { kubernetesRules } from "./kubernetes";
import { observabilityRules } from "./observability";
import { recoveryRules } from "./recovery";
import { registryRules } from "./registry";
import { releaseRules } from "./release";
import { secretsRules } from "./secrets";
import { storageRules } from "./storage";
import { tracingRules } from "./tracing";

const areas: { resource: ResourceRule<any>[]; stack?: StackRule<any>[] }[] = [
    dataRules, databaseClientsRules, edgeRules, secretsRules, accessRules, applicationRules, kubernetesRules, observabilityRules, recoveryRules, releaseRules,
    storageRules, frontendRules, registryRules, tracingRules, ecsRules, apiGatewayRules,
];

export const RESOURCE_RULES: ResourceRule<any>[] = areas.flatMap((a) => a.resource);
export const STACK_RULES: StackRule<any>[] = areas.flatMap((a) => a.stack ?? []);
export const RULES = [...RESOURCE_RULES, ...STACK_RULES];

/** Every rule as a CrossGuard policy. */
export const POLICIES: Policies = [...RESOURCE_RULES.map(resourcePolicy), ...STACK_RULES.map(stackPolicy)];
