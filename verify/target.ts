import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parsePlatformConfig } from "../components/config";
import { secretConfigPaths, securePathsOf } from "../components/secret-config";
import { readStackConfig } from "../preflight/stack-config";
import { VerifyOptions } from "./options";

/** What to probe and what to expect of it. */
export interface Target {
    url: URL;
    httpUrl: URL;
    /** The origins the API admits: each must get exactly itself back in Access-Control-Allow-Origin. */
    allowedOrigins: string[];
    healthPaths: string[];
    compressionPath: string;
    /** The WAF's rate-based limit from the stack config, requests per 5 minutes per address. */
    rateLimitPerFiveMinutes?: number;
    stack?: string;
}

/** The service setting the platform fills with the API's allowed origins (components/platform.ts). */
const CORS_SETTING = "CORS_ORIGINS";

/**
 * The stack's public face, from its config read and validated as the program reads it: the domain,
 * the health paths of the public services, the origins their CORS setting admits, the WAF's rate limit.
 * A bad stack file or config throws StackFileError or ConfigError.
 */
export function stackExpectations(projectDir: string, stack: string) {
    const stackConfig = readStackConfig(projectDir, stack);
    // The program learns where the secrets are from the stack file itself; so does this.
    // readStackConfig has checked that the file is YAML with a map under "config".
    const stackFile = parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> } | null;
    const securePaths = securePathsOf(stackFile?.config ?? {}, stackConfig.project);
    const config = parsePlatformConfig(stackConfig.config, secretConfigPaths(stackConfig.secretKeys, securePaths));
    const publicServices = config.services.filter((svc) => svc.public);
    // A service's own CORS_ORIGINS replaces the platform's default, its domain (see components/platform.ts).
    const origins = publicServices.flatMap((svc) => (svc.env[CORS_SETTING] ?? `https://${config.domainName}`).split(/[\s,]+/).filter(Boolean));
    return {
        domainName: config.domainName,
        healthPaths: [...new Set(publicServices.map((svc) => svc.healthPath))],
        allowedOrigins: [...new Set(origins)],
        rateLimitPerFiveMinutes: config.edge.rateLimitPerFiveMinutes,
    };
}

/** The command line's values, else the stack's, else the defaults. */
export function resolveTarget(options: VerifyOptions, projectDir: string): Target {
    const expected = options.stack ? stackExpectations(projectDir, options.stack) : undefined;
    const url = new URL(options.url ?? `https://${expected!.domainName}/`);
    const httpUrl = new URL(options.httpUrl ?? `http://${url.hostname}${url.pathname}`);
    return {
        url,
        httpUrl,
        allowedOrigins: options.origins.length > 0 ? options.origins : (expected?.allowedOrigins ?? []),
        healthPaths: options.healthPaths.length > 0 ? [...new Set(options.healthPaths)] : (expected?.healthPaths ?? ["/health"]),
        compressionPath: options.compressionPath ?? url.pathname,
        rateLimitPerFiveMinutes: expected?.rateLimitPerFiveMinutes,
        stack: options.stack,
    };
}
