import { CaseTable } from "../cases";
import { apiGatewayCases } from "./api-gateway";
import { accessCases, applicationCases } from "./access-application";
import { dataCases } from "./data";
import { databaseClientsCases } from "./database-clients";
import { ecsCases } from "./ecs";
import { edgeCases, secretsCases } from "./edge-secrets";
import { kubernetesCases } from "./kubernetes";
import { observabilityCases, recoveryCases } from "./observability-recovery";
import { optionalPartsCases } from "./optional-parts";
import { releaseCases } from "./release";
import { storageCases } from "./storage";

/** Every policy's compliant and violating cases, by area. */
export const CASE_TABLES: CaseTable[] = [dataCases, databaseClientsCases, edgeCases, secretsCases, accessCases, applicationCases, kubernetesCases, observabilityCases, recoveryCases,
    releaseCases, storageCases, ecsCases, optionalPartsCases, apiGatewayCases];
