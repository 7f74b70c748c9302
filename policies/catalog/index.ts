import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { evidenceNeed } from "./criteria";
import { sectionsOf } from "./sections";

/** The teams' checklists (Markdown) and, in `requirements/`, the catalog of requirements traced to their lines, one YAML file per area. */
export const CHECKLISTS_DIR = path.resolve(__dirname, "../checklists");

/** How a requirement is verified: by the plan's policies, by release artifacts, by probing the deployed stack, by a person, or not at all. */
export const VERIFIED_BY = ["plan", "evidence", "live", "attestation", "out-of-scope"] as const;
export type VerifiedBy = (typeof VERIFIED_BY)[number];

/** The checks of `npm run verify` a live requirement can name. */
export const LIVE_CHECKS = [
    "tls-min-version",
    "certificate-valid",
    "certificate-expiry",
    "https-redirect",
    "hsts",
    "security-headers",
    "cors",
    "health",
    "no-sticky-sessions",
    "compression",
    "metrics-not-public",
    "no-stack-traces",
    "rate-limit",
] as const;

const common = {
    id: z.string().regex(/^[A-Z]+-\d{2}$/, { message: "expected an id like DB-01" }),
    text: z.string().min(10),
    /** Checklist file name -> its 1-based checkbox line numbers. */
    sources: z.record(z.string(), z.array(z.number().int().positive()).min(1)).default({}),
};
const requirementSchema = z.discriminatedUnion("verifiedBy", [
    z.strictObject({ ...common, verifiedBy: z.literal("plan") }),
    z.strictObject({ ...common, verifiedBy: z.literal("evidence"), evidence: z.array(evidenceNeed).min(1) }),
    z.strictObject({ ...common, verifiedBy: z.literal("live"), checks: z.array(z.enum(LIVE_CHECKS)).min(1) }),
    z.strictObject({ ...common, verifiedBy: z.literal("attestation"), attestedBy: z.string().min(1), why: z.string().min(10) }),
    z.strictObject({ ...common, verifiedBy: z.literal("out-of-scope"), reason: z.string().min(10) }),
]);
const areaFile = z.strictObject({ area: z.string().min(1), requirements: z.array(requirementSchema).min(1) });

/** Where a requirement comes from: one checklist, the section its lines sit in (from the file's headings), the lines. */
export interface ChecklistSource {
    file: string;
    section: string;
    lines: number[];
}

type Parsed = z.infer<typeof requirementSchema>;
/** A requirement as the data files state it, with its area and its sources' sections (one type per way of verifying it). */
export type Requirement = Parsed extends infer Each
    ? Each extends Parsed
        ? Omit<Each, "sources"> & { area: string; sources: ChecklistSource[] }
        : never
    : never;

/** The catalog's data files are wrong: the pack and the preflight cannot start. */
export class CatalogError extends Error {}

/** Reads and validates the catalog: every requirement with its area, verification and sources (sections derived). */
export function loadCatalog(dir = CHECKLISTS_DIR): Requirement[] {
    const sectionsByFile = new Map<string, Map<number, string>>();
    const sectionOf = (file: string, line: number, id: string): string => {
        if (!sectionsByFile.has(file)) {
            const checklist = path.join(dir, file);
            if (!fs.existsSync(checklist)) {
                throw new CatalogError(`${id}: no checklist ${file} in ${dir}`);
            }
            sectionsByFile.set(file, sectionsOf(fs.readFileSync(checklist, "utf8")));
        }
        const section = sectionsByFile.get(file)!.get(line);
        if (section === undefined) {
            throw new CatalogError(`${id}: ${file}:${line} is not a checkbox line`);
        }
        return section;
    };
    const requirementsDir = path.join(dir, "requirements");
    const files = fs
        .readdirSync(requirementsDir)
        .filter((f) => f.endsWith(".yaml"))
        .sort();
    const catalog = files.flatMap((name) => {
        const file = path.join(requirementsDir, name);
        let document: unknown;
        try {
            document = parse(fs.readFileSync(file, "utf8"));
        } catch (err) {
            throw new CatalogError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
        }
        const result = areaFile.safeParse(document);
        if (!result.success) {
            const issue = result.error.issues[0];
            throw new CatalogError(`${file}: ${issue.path.join(".")}: ${issue.message}`);
        }
        return result.data.requirements.map((requirement): Requirement => {
            const sources = Object.entries(requirement.sources).flatMap(([checklist, lines]) => {
                const bySection = new Map<string, number[]>();
                for (const line of lines) {
                    const section = sectionOf(checklist, line, requirement.id);
                    bySection.set(section, [...(bySection.get(section) ?? []), line]);
                }
                return [...bySection].map(([section, sectionLines]) => ({ file: checklist, section, lines: sectionLines }));
            });
            return { ...requirement, area: result.data.area, sources };
        });
    });
    const seen = new Set<string>();
    for (const requirement of catalog) {
        if (seen.has(requirement.id)) {
            throw new CatalogError(`requirement ${requirement.id} is defined twice`);
        }
        seen.add(requirement.id);
    }
    return catalog;
}

let loaded: readonly Requirement[] | undefined;

/** The catalog, read on first use (a policy pack run by the preflight never needs it) and kept. */
export function catalog(): readonly Requirement[] {
    return (loaded ??= loadCatalog());
}
