import { ParseArgsConfig } from "util";
import { STACKS } from "../preflight/stacks";
import { parseFlags } from "../preflight/flags";

export const FORMATS = ["text", "json", "markdown", "junit"] as const;
export type Format = (typeof FORMATS)[number];

/** The largest burst `--rate-limit-probe` may send: enough to pass any sane per-address limit, bounded all the same. */
export const MAX_RATE_LIMIT_PROBE = 10000;

export const USAGE = `Usage: npm run verify -- [options]

Probes a deployed stack from outside (TLS, certificate, redirect, headers, CORS, health,
cookies, compression, /metrics, error pages) and writes the result as release evidence for
\`npm run preflight -- --evidence DIR\`. Every request has a timeout; the number of requests is
fixed before the first one and printed.

  --stack NAME            staging or production: the domain, the public services' health paths,
                          the CORS origins and the rate limit come from Pulumi.<stack>.yaml
  --url URL               the https:// address to probe (default with --stack: https://<domainName>)
  --http-url URL          the plain http:// address that must redirect (default: http://<host of --url>)
  --ca FILE               a PEM file of extra CA certificates to trust (a private CA)
  --origin ORIGIN         an origin the API admits (repeatable; default with --stack: each public
                          service's CORS_ORIGINS, else https://<domainName>)
  --health-path PATH      a health endpoint (repeatable; default with --stack: the public services',
                          else /health)
  --compression-path PATH a path answering JSON larger than 1 KB (default: the path of --url)
  --cert-min-days N       days the certificate must still be valid for (default: 30)
  --rate-limit-probe N    also send a burst of at most N requests and expect a 429 or 403
                          (off by default: it trips the WAF's rate rule for this address)
  --timeout S             seconds each request may take (default: 10)
  --format FORMAT         text, json, markdown or junit (default: text)
  --out FILE              write the report to FILE (standard output gets the summary line)
  --help                  print this help

Exit codes: 0 every check passed (or was skipped), 1 a check failed, 2 bad usage or input, or the
host could not be reached.`;

export class UsageError extends Error {}

export interface VerifyOptions {
    stack?: string;
    url?: string;
    httpUrl?: string;
    ca?: string;
    origins: string[];
    healthPaths: string[];
    compressionPath?: string;
    certMinDays: number;
    rateLimitProbe?: number;
    timeoutSeconds: number;
    format: Format;
    out?: string;
    help: boolean;
}

const PATH = /^\/[\w/.~%-]*$/;

/** The command line's flags: parsed by node's parseArgs, and listed when one is unknown. */
const OPTIONS = {
    stack: { type: "string" },
    url: { type: "string" },
    "http-url": { type: "string" },
    ca: { type: "string" },
    origin: { type: "string", multiple: true, default: [] },
    "health-path": { type: "string", multiple: true, default: [] },
    "compression-path": { type: "string" },
    "cert-min-days": { type: "string", default: "30" },
    "rate-limit-probe": { type: "string" },
    timeout: { type: "string", default: "10" },
    format: { type: "string", default: "text" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
} satisfies NonNullable<ParseArgsConfig["options"]>;

export function parseCli(argv: string[]): VerifyOptions {
    const values = parseFlags(argv, OPTIONS, UsageError);
    if (values.help) {
        return { origins: [], healthPaths: [], certMinDays: 30, timeoutSeconds: 10, format: "text", help: true };
    }
    if (values.stack !== undefined && !(STACKS as readonly string[]).includes(values.stack)) {
        throw new UsageError(`--stack: got ${show(values.stack)}; allowed: ${STACKS.join(", ")}`);
    }
    if (values.stack === undefined && values.url === undefined) {
        throw new UsageError("give --stack staging|production (the address is its domain) or --url https://HOST");
    }
    if (values.url !== undefined) {
        checkUrl("--url", values.url, "https:", "https://api.example.com");
    }
    if (values["http-url"] !== undefined) {
        checkUrl("--http-url", values["http-url"], "http:", "http://api.example.com");
    }
    const origins = values.origin;
    for (const origin of origins) {
        const url = URL.canParse(origin) ? new URL(origin) : undefined;
        if (!url || !["https:", "http:"].includes(url.protocol) || url.origin !== origin) {
            throw new UsageError(`--origin: got ${show(origin)}; expected an origin like https://app.example.com (scheme and host, no path)`);
        }
    }
    const healthPaths = values["health-path"];
    for (const [flag, path] of [...healthPaths.map((p) => ["--health-path", p]), ["--compression-path", values["compression-path"]]]) {
        if (path !== undefined && !PATH.test(path)) {
            throw new UsageError(`${flag}: got ${show(path)}; expected a path like /health`);
        }
    }
    if (!(FORMATS as readonly string[]).includes(values.format)) {
        throw new UsageError(`--format: got ${show(values.format)}; allowed: ${FORMATS.join(", ")}`);
    }
    return {
        stack: values.stack,
        url: values.url,
        httpUrl: values["http-url"],
        ca: values.ca,
        origins,
        healthPaths,
        compressionPath: values["compression-path"],
        // At most the longest a public certificate may be issued for.
        certMinDays: integer("--cert-min-days", values["cert-min-days"], 0, 398),
        rateLimitProbe:
            values["rate-limit-probe"] === undefined ? undefined : integer("--rate-limit-probe", values["rate-limit-probe"], 1, MAX_RATE_LIMIT_PROBE),
        timeoutSeconds: seconds("--timeout", values.timeout),
        format: values.format as Format,
        out: values.out,
        help: false,
    };
}

function checkUrl(flag: string, value: string, protocol: string, example: string): void {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url || url.protocol !== protocol || url.username || url.password || url.search || url.hash) {
        throw new UsageError(`${flag}: got ${show(value)}; expected an ${protocol}// address like ${example} (a path is allowed, no query or credentials)`);
    }
}

function integer(flag: string, value: string, min: number, max: number): number {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) {
        throw new UsageError(`${flag}: got ${show(value)}; expected a whole number from ${min} to ${max}`);
    }
    return number;
}

function seconds(flag: string, value: string): number {
    const number = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || number <= 0 || number > 120) {
        throw new UsageError(`${flag}: got ${show(value)}; expected seconds, more than 0 and at most 120`);
    }
    return number;
}

/** A value for a message: quoted, cut short. */
export function show(value: string): string {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 80)}… (${value.length} characters)` : text;
}
