import { CaseTable } from "../cases";
import { dataCases } from "./data";
import { edgeCases, secretsCases } from "./edge-secrets";
import { kubernetesCases } from "./kubernetes";
import { observabilityCases, recoveryCases } from "./observability-recovery";

/** Every policy's compliant and violating cases, by area. */
export const CASE_TABLES: CaseTable[] = [dataCases, edgeCases, secretsCases, kubernetesCases, observabilityCases, recoveryCases];
