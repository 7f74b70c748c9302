/**
 * vCPUs and memory of the RDS and Aurora DB instance classes in current use, from the AWS
 * "Hardware specifications for DB instance classes" tables. Within a family every size has the same
 * memory per vCPU, so the table is built from each family's ratio and the sizes RDS offers in it.
 * Add a family (or a size) here when AWS releases one; a class missing from the table is reported
 * as unknown, never guessed.
 */
export interface InstanceSize {
    vcpus: number;
    memoryGiB: number;
}

const VCPUS_BY_SIZE: Record<string, number> = {
    medium: 1,
    large: 2,
    xlarge: 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "10xlarge": 40,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
    "32xlarge": 128,
    "48xlarge": 192,
};

const UP_TO_16XLARGE = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];
const UP_TO_24XLARGE = [...UP_TO_16XLARGE, "24xlarge"];
const UP_TO_32XLARGE = [...UP_TO_24XLARGE, "32xlarge"];
const UP_TO_48XLARGE = [...UP_TO_32XLARGE, "48xlarge"];

/** Families whose memory is a fixed number of GiB per vCPU, with the sizes RDS offers. */
const PROPORTIONAL_FAMILIES: { families: string[]; gibPerVcpu: number; sizes: string[] }[] = [
    // General purpose: 4 GiB per vCPU.
    { families: ["m5", "m5d"], gibPerVcpu: 4, sizes: UP_TO_24XLARGE },
    { families: ["m6g", "m6gd", "m7g"], gibPerVcpu: 4, sizes: UP_TO_16XLARGE },
    { families: ["m6i", "m6id", "m6in", "m6idn"], gibPerVcpu: 4, sizes: UP_TO_32XLARGE },
    { families: ["m7i", "m8g", "m8gd"], gibPerVcpu: 4, sizes: UP_TO_48XLARGE },
    { families: ["m4"], gibPerVcpu: 4, sizes: ["large", "xlarge", "2xlarge", "4xlarge", "10xlarge", "16xlarge"] },
    // Memory optimized: 8 GiB per vCPU.
    { families: ["r5", "r5b", "r5d"], gibPerVcpu: 8, sizes: UP_TO_24XLARGE },
    { families: ["r6g", "r6gd", "r7g"], gibPerVcpu: 8, sizes: UP_TO_16XLARGE },
    { families: ["r6i", "r6id", "r6in", "r6idn"], gibPerVcpu: 8, sizes: UP_TO_32XLARGE },
    { families: ["r7i", "r8g", "r8gd"], gibPerVcpu: 8, sizes: UP_TO_48XLARGE },
    // Memory optimized, large memory: 16 and 32 GiB per vCPU.
    { families: ["x2g"], gibPerVcpu: 16, sizes: ["medium", ...UP_TO_16XLARGE] },
    { families: ["x2idn"], gibPerVcpu: 16, sizes: ["16xlarge", "24xlarge", "32xlarge"] },
    { families: ["x2iedn"], gibPerVcpu: 32, sizes: ["xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge", "24xlarge", "32xlarge"] },
    // Compute optimized (Multi-AZ DB clusters): 2 GiB per vCPU.
    { families: ["c6gd"], gibPerVcpu: 2, sizes: ["medium", ...UP_TO_16XLARGE] },
];

/** Burstable classes: a small size keeps two vCPUs (at a baseline share) with less memory. */
const BURSTABLE: Record<string, InstanceSize> = {
    micro: { vcpus: 2, memoryGiB: 1 },
    small: { vcpus: 2, memoryGiB: 2 },
    medium: { vcpus: 2, memoryGiB: 4 },
    large: { vcpus: 2, memoryGiB: 8 },
    xlarge: { vcpus: 4, memoryGiB: 16 },
    "2xlarge": { vcpus: 8, memoryGiB: 32 },
};

/** The previous generation's memory-optimized r4 has 7.625 GiB per vCPU. */
const R4_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"];

function buildTable(): Record<string, InstanceSize> {
    const table: Record<string, InstanceSize> = {};
    for (const { families, gibPerVcpu, sizes } of PROPORTIONAL_FAMILIES) {
        for (const family of families) {
            for (const size of sizes) {
                const vcpus = VCPUS_BY_SIZE[size];
                table[`db.${family}.${size}`] = { vcpus, memoryGiB: vcpus * gibPerVcpu };
            }
        }
    }
    for (const family of ["t3", "t4g"]) {
        for (const [size, spec] of Object.entries(BURSTABLE)) {
            table[`db.${family}.${size}`] = spec;
        }
    }
    for (const size of R4_SIZES) {
        const vcpus = VCPUS_BY_SIZE[size];
        table[`db.r4.${size}`] = { vcpus, memoryGiB: vcpus * 7.625 };
    }
    return table;
}

/** vCPUs and GiB by DB instance class, e.g. `db.r6g.large` → 2 vCPUs, 16 GiB. */
export const RDS_INSTANCE_CLASSES: Readonly<Record<string, InstanceSize>> = buildTable();

/** Aurora Serverless v2: each Aurora capacity unit (ACU) is about 2 GiB of memory with matching CPU. */
export const SERVERLESS_INSTANCE_CLASS = "db.serverless";
export const GIB_PER_ACU = 2;
