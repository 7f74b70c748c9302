import { CaseTable } from "../cases";
import { accessCases } from "./access";
import { apiGatewayCases } from "./api-gateway";
import { applicationCases } from "./application";
import { budgetsCases } from "./budgets";
import { cloudwatchCases } from "./cloudwatch";
import { databaseClientsCases } from "./database-clients";
import { ecsCases } from "./ecs";
import { elasticacheCases } from "./elasticache";
import { frontendCases } from "./frontend";
import { kubernetesCases } from "./kubernetes";
import { loadBalancerCases } from "./load-balancer";
import { postgresqlCases } from "./postgresql";
import { prometheusCases } from "./prometheus";
import { rdsCases } from "./rds";
import { recoveryCases } from "./recovery";
import { registryCases } from "./registry";
import { releaseCases } from "./release";
import { route53Cases } from "./route53";
import { secretsCases } from "./secrets";
import { securityGroupsCases } from "./security-groups";
import { storageCases } from "./storage";
import { tracingCases } from "./tracing";
import { wafCases } from "./waf";

/** Every policy's compliant and violating cases: one table per rule file, named after it. */
export const CASE_TABLES: CaseTable[] = [
    rdsCases,
    postgresqlCases,
    databaseClientsCases,
    elasticacheCases,
    securityGroupsCases,
    loadBalancerCases,
    wafCases,
    route53Cases,
    frontendCases,
    apiGatewayCases,
    secretsCases,
    accessCases,
    kubernetesCases,
    applicationCases,
    registryCases,
    tracingCases,
    ecsCases,
    storageCases,
    cloudwatchCases,
    prometheusCases,
    budgetsCases,
    recoveryCases,
    releaseCases,
];
