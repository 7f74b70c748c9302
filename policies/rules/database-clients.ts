import { containersOf, podSpecOf, WORKLOADS } from "../lib/kubernetes";
import { ResourceRule, RuleFile } from "../lib/rule";
import { AWS_DATA, K8S } from "../lib/types";
import { listOf, objectOf, peek } from "../lib/values";
import { ecsEnvironments } from "./secrets";

/** Settings that size a database client's pool, as drivers and frameworks name them (DB_POOL_MAX, SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE, …). */
export const POOL_SETTING_PATTERN =
    "(^|_)(DB|DATABASE|DATASOURCE|PG|POSTGRES|POSTGRESQL|MYSQL|SQL|PRISMA|TYPEORM|SEQUELIZE|KNEX|SQLALCHEMY|HIKARI)_([A-Z0-9]+_)*" +
    "(POOL|POOL_SIZE|POOL_MAX|POOL_MAX_SIZE|MAX_POOL_SIZE|MAXIMUM_POOL_SIZE|POOL_LIMIT|CONNECTION_LIMIT|MAX_CONNECTIONS)$";
/** Query parameters of a database URL that size the pool (Prisma's connection_limit, libpq-style pool_max, JDBC/Npgsql maxPoolSize). */
const POOL_URL_PARAMETERS = ["connection_limit", "pool_size", "pool_max", "max_pool_size", "maxpoolsize", "maximum pool size"];
const DATABASE_URL = /^(postgres(ql)?|mysql|mariadb|jdbc:[a-z]+):\/\//i;

/** The pool sizes a set of plain settings gives: named settings and the pool parameters of database URLs. */
function poolSizes(settings: [string, unknown][], namePattern: RegExp): { setting: string; value: string }[] {
    const found: { setting: string; value: string }[] = [];
    for (const [name, value] of settings) {
        if (typeof value !== "string" && typeof value !== "number") {
            continue;
        }
        if (namePattern.test(name.toUpperCase())) {
            found.push({ setting: name, value: String(value) });
        } else if (typeof value === "string" && DATABASE_URL.test(value)) {
            let url: URL | undefined;
            try {
                url = new URL(value.replace(/^jdbc:/i, ""));
            } catch {
                continue;
            }
            for (const [key, size] of url.searchParams) {
                if (POOL_URL_PARAMETERS.includes(key.toLowerCase())) {
                    found.push({ setting: `${name} (${key})`, value: size });
                }
            }
        }
    }
    return found;
}

/** Each container's or function's plain settings: Kubernetes env and ConfigMap data, ECS environment, Lambda variables. */
function settingsOf(type: string, props: Record<string, any>): { label: string; settings: [string, unknown][] }[] | string {
    if (type === K8S.configMap) {
        return [{ label: "data", settings: Object.entries(objectOf(props.data) ?? {}) }];
    }
    if (type === AWS_DATA.lambdaFunction) {
        return [{ label: "environment.variables", settings: Object.entries(objectOf(peek(objectOf(peek(props, "environment")), "variables")) ?? {}) }];
    }
    if (type === AWS_DATA.ecsTaskDefinition) {
        const containers = ecsEnvironments(props);
        return typeof containers === "string" ? containers : containers.map(({ label, env }) => ({ label, settings: env }));
    }
    return containersOf(podSpecOf(type, props)).map((container) => ({
        label: container.label,
        settings: (listOf(container.spec.env) ?? [])
            .map(objectOf)
            .filter((e) => typeof e?.name === "string")
            .map((e) => [e!.name as string, e!.value]),
    }));
}

export const databaseClientPoolSize: ResourceRule<{ minimum: number; maximum: number; settingNamePattern: string }> = {
    name: "database-client-pool-size",
    description: "Database connection pools that workloads configure are sized within the checklist's range (20-50 connections).",
    severity: "medium",
    checklist: ["DB-02"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html", "https://node-postgres.com/apis/pool"],
    remediation:
        "Set the pool size setting (e.g. DB_POOL_MAX, or connection_limit in the database URL) to a value within the range; " +
        "size it so replicas × pool stays below the database's max_connections, or put an RDS Proxy in front.",
    resourceTypes: [...WORKLOADS, K8S.configMap, AWS_DATA.ecsTaskDefinition, AWS_DATA.lambdaFunction],
    config: {
        minimum: { type: "integer", minimum: 1, default: 20, description: "Smallest pool size a client may configure." },
        maximum: { type: "integer", minimum: 1, default: 50, description: "Largest pool size a client may configure." },
        settingNamePattern: { type: "string", default: POOL_SETTING_PATTERN, description: "Regular expression (upper case) for names of pool size settings." },
    },
    validate({ type, props }, { minimum, maximum, settingNamePattern }, report) {
        const sources = settingsOf(type, props);
        if (typeof sources === "string") {
            report(sources);
            return;
        }
        const namePattern = new RegExp(settingNamePattern);
        for (const { label, settings } of sources) {
            for (const { setting, value } of poolSizes(settings, namePattern)) {
                const size = /^\d+$/.test(value.trim()) ? Number(value) : undefined;
                if (size === undefined) {
                    report(`${label}: ${setting} is ${JSON.stringify(value.slice(0, 40))}, not a whole number of connections`);
                } else if (size < minimum || size > maximum) {
                    report(`${label}: ${setting} is ${size} connections; the checklist sizes a pool at ${minimum}-${maximum}`);
                }
            }
        }
    },
};

export const databaseClientsRules: RuleFile = {
    title: "Database clients (pool sizes in workload configuration)",
    resource: [databaseClientPoolSize] as ResourceRule<any>[],
    stack: [],
};
