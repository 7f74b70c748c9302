import { Policies } from "@pulumi/policy";
import { resourcePolicy, ResourceRule, RuleFile, stackPolicy, StackRule } from "../lib/rule";
import { accessRules } from "./access";
import { apiGatewayRules } from "./api-gateway";
import { applicationRules } from "./application";
import { databaseClientsRules } from "./database-clients";
import { budgetsRules } from "./budgets";
import { cloudwatchRules } from "./cloudwatch";
import { ecsRules } from "./ecs";
import { elasticacheRules } from "./elasticache";
import { frontendRules } from "./frontend";
import { kubernetesRules } from "./kubernetes";
import { loadBalancerRules } from "./load-balancer";
import { postgresqlRules } from "./postgresql";
import { prometheusRules } from "./prometheus";
import { rdsRules } from "./rds";
import { recoveryRules } from "./recovery";
import { registryRules } from "./registry";
import { releaseRules } from "./release";
import { route53Rules } from "./route53";
import { secretsRules } from "./secrets";
import { securityGroupRules } from "./security-groups";
import { storageRules } from "./storage";
import { tracingRules } from "./tracing";
import { wafRules } from "./waf";

/**
 * Each file's rules, by its name (policies/rules/<name>.ts): the policy reference has a section for each,
 * and tests/policies/tables/<name>.ts holds its cases (tests/policies/layout.spec.ts checks both ways).
 */
export const RULE_FILES: Record<string, RuleFile> = {
    rds: rdsRules,
    postgresql: postgresqlRules,
    "database-clients": databaseClientsRules,
    elasticache: elasticacheRules,
    "security-groups": securityGroupRules,
    "load-balancer": loadBalancerRules,
    waf: wafRules,
    route53: route53Rules,
    frontend: frontendRules,
    "api-gateway": apiGatewayRules,
    secrets: secretsRules,
    access: accessRules,
    kubernetes: kubernetesRules,
    application: applicationRules,
    registry: registryRules,
    tracing: tracingRules,
    ecs: ecsRules,
    storage: storageRules,
    cloudwatch: cloudwatchRules,
    prometheus: prometheusRules,
    budgets: budgetsRules,
    recovery: recoveryRules,
    release: releaseRules,
};

export const RESOURCE_RULES: ResourceRule<any>[] = Object.values(RULE_FILES).flatMap((file) => file.resource);
export const STACK_RULES: StackRule<any>[] = Object.values(RULE_FILES).flatMap((file) => file.stack);
export const RULES = [...RESOURCE_RULES, ...STACK_RULES];

/** Every rule as a CrossGuard policy. */
export const POLICIES: Policies = [...RESOURCE_RULES.map(resourcePolicy), ...STACK_RULES.map(stackPolicy)];
