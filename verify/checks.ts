import { PeerCertificate } from "tls";
import { LIVE_CHECKS } from "../policies/catalog";
import { Answer, Handshake } from "./client";
import { Exchange, FOREIGN_ORIGIN, LIMITED_STATUSES, Observations, Outcome } from "./probe";
import { Target } from "./target";

export type CheckId = (typeof LIVE_CHECKS)[number];
export type CheckStatus = "pass" | "fail" | "skip";

/** One check as the verify record holds it (policies/evidence/records.ts reads it). */
export interface CheckResult {
    id: CheckId;
    status: CheckStatus;
    message: string;
}

export interface Expectations {
    target: Target;
    /** Days the certificate must still be valid for. */
    certMinDays: number;
    rateLimitProbe?: number;
    now: Date;
}

const DAY_MS = 24 * 3600 * 1000;
/** HSTS must be remembered for a year (the checklists' number, and what browsers' preload lists ask). */
const HSTS_MIN_SECONDS = 31536000;
/** A response this large is worth compressing. */
const COMPRESSIBLE_BYTES = 1024;
/** Cookies load balancers and ingresses set to pin a client to one target. */
const AFFINITY_COOKIES = [/^AWSALB/i, /^AWSELB$/i, /^INGRESSCOOKIE$/i, /^SERVERID$/i, /^BIGipServer/i, /^ARRAffinity/i, /^__cflb$/i, /^GCLB$/i, /^route$/i];
/** What a stack trace or a framework's own error page looks like in a body. */
const LEAKS: { what: string; pattern: RegExp }[] = [
    { what: "a Node.js stack frame", pattern: /\bat (?:[^\s()"']+ \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\s()"']*:\d+:\d+\)?/ },
    { what: "a node_modules path", pattern: /node_modules[/\\][^\s"'<]+/ },
    { what: "a Python traceback", pattern: /Traceback \(most recent call last\)/ },
    { what: "a Java stack frame", pattern: /\bat (?:[\w$]+\.)+[\w$<>]+\([\w$]+\.java:\d+\)/ },
    { what: "Express's default error page", pattern: /<pre>Cannot (?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^<]*<\/pre>/ },
];

/** Judges every check, in the catalog's order, from what the probe observed. */
export function judge(observed: Observations, expected: Expectations): CheckResult[] {
    const verdicts: Record<CheckId, Omit<CheckResult, "id">> = {
        "tls-min-version": tlsMinVersion(observed),
        "certificate-valid": certificateValid(observed.served, expected.target.url.hostname),
        "certificate-expiry": certificateExpiry(observed.served.certificate, expected),
        "https-redirect": httpsRedirect(observed.redirect, expected.target),
        hsts: hsts(observed.home),
        "security-headers": securityHeaders(observed.home),
        cors: cors(observed),
        health: health(observed.health),
        "no-sticky-sessions": noStickySessions(observed.answers),
        compression: compression(observed.compression),
        "metrics-not-public": metricsNotPublic(observed.metrics),
        "no-stack-traces": noStackTraces([observed.missingPath, observed.malformedBody]),
        "rate-limit": rateLimit(observed, expected),
    };
    return LIVE_CHECKS.map((id) => ({ id, ...verdicts[id] }));
}

const pass = (message: string) => ({ status: "pass" as const, message });
const fail = (message: string) => ({ status: "fail" as const, message });
const skip = (message: string) => ({ status: "skip" as const, message });

/** The answer of an exchange, or the failure that names what was asked and why nothing came. */
function answered(exchange: Exchange, judge: (answer: Answer) => Omit<CheckResult, "id">): Omit<CheckResult, "id"> {
    return exchange.outcome.value ? judge(exchange.outcome.value) : fail(`${exchange.label}: ${exchange.outcome.error.message}`);
}

/** A value the server chose, for a message: one line, cut short. */
function shown(value: string, length = 120): string {
    const line = value.replace(/[\u0000-\u001f\u007f]+/g, " ");
    return line.length > length ? `${line.slice(0, length)}…` : line;
}

function header(answer: Answer, name: string): string | undefined {
    const value = answer.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
}

// ---------------------------------------------------------------- TLS and certificate

/** Errors a handshake gets when this Node's OpenSSL, not the server, cannot speak the version. */
const LOCAL_TLS_ERRORS = new Set(["ERR_SSL_NO_PROTOCOLS_AVAILABLE", "ERR_SSL_NO_CIPHERS_AVAILABLE", "ERR_TLS_INVALID_PROTOCOL_VERSION"]);

function tlsMinVersion({ legacy, tls12, tls13 }: Observations) {
    if (legacy.error && LOCAL_TLS_ERRORS.has(legacy.error.code)) {
        return skip(`this Node's OpenSSL cannot offer TLS 1.1 (${legacy.error.code}), so whether the server refuses it is unknown`);
    }
    const state = (name: string, outcome: Outcome<Handshake>) =>
        outcome.value ? `${name} accepted (${outcome.value.protocol})` : `${name} refused (${outcome.error.message})`;
    const message = [state("TLS 1.1 and older", legacy), state("TLS 1.2", tls12), state("TLS 1.3", tls13)].join("; ");
    // Every TLS 1.3 security policy the stack may use accepts 1.3; one of them (TLS13-1-3) rightly refuses 1.2.
    return legacy.value || !tls13.value ? fail(message) : pass(message);
}

function altNames(certificate: PeerCertificate): string[] {
    return (certificate.subjectaltname ?? "").split(/,\s*/).filter(Boolean);
}

function certificateValid(served: Handshake, host: string) {
    const certificate = served.certificate;
    const names = shown(altNames(certificate).join(", "), 240);
    const issuer = shown(String(certificate.issuer?.CN ?? certificate.issuer?.O ?? "unknown issuer"));
    const commonName = shown(String(certificate.subject?.CN ?? "none"));
    if (!served.authorized) {
        const why: Record<string, string> = {
            CERT_HAS_EXPIRED: `the certificate expired on ${certificate.valid_to}`,
            CERT_NOT_YET_VALID: `the certificate is valid only from ${certificate.valid_from}`,
            ERR_TLS_CERT_ALTNAME_INVALID: `the certificate does not name ${host}: it names ${names || `only CN=${commonName}`}`,
            DEPTH_ZERO_SELF_SIGNED_CERT: "the certificate is self-signed",
            SELF_SIGNED_CERT_IN_CHAIN: `the chain ends in an untrusted root (${issuer}); a private CA needs --ca`,
            UNABLE_TO_GET_ISSUER_CERT_LOCALLY: `the issuer (${issuer}) is not trusted, or the server does not send the intermediate; a private CA needs --ca`,
            UNABLE_TO_VERIFY_LEAF_SIGNATURE: `the chain does not reach a trusted root from ${issuer}: the server sends no intermediate, or the issuer is a private CA (give --ca with it)`,
        };
        const code = served.authorizationError ?? "unknown";
        return fail(`${why[code] ?? "the chain does not verify"} (${code})`);
    }
    // Node falls back to the subject's CN when there is no SAN; browsers do not.
    if (names === "") {
        return fail(`the certificate has no subjectAltName (only CN=${commonName}); browsers ignore the CN`);
    }
    return pass(`chain verifies for ${host}, issued by ${issuer}; SAN ${names}`);
}

function certificateExpiry(certificate: PeerCertificate, { certMinDays, now }: Expectations) {
    const until = new Date(certificate.valid_to);
    if (Number.isNaN(until.getTime())) {
        return fail(`the certificate's expiry could not be read (${certificate.valid_to})`);
    }
    const days = Math.floor((until.getTime() - now.getTime()) / DAY_MS);
    const date = until.toISOString().slice(0, 10);
    if (days < 0) {
        return fail(`expired ${-days} day(s) ago, on ${date}`);
    }
    return days > certMinDays
        ? pass(`${days} days left (until ${date})`)
        : fail(`${days} days left (until ${date}); more than ${certMinDays} needed: renew it`);
}

// ---------------------------------------------------------------- HTTP

function httpsRedirect(exchange: Exchange, target: Target) {
    return answered(exchange, (answer) => {
        const location = header(answer, "location");
        const what = `${target.httpUrl.href} answers ${answer.status}`;
        if (![301, 302, 303, 307, 308].includes(answer.status) || !location) {
            return fail(`${what} without redirecting to https://`);
        }
        const to = URL.canParse(location, target.httpUrl.href) ? new URL(location, target.httpUrl) : undefined;
        if (!to || to.protocol !== "https:" || to.host !== target.url.host) {
            return fail(`${what} to ${shown(location)}; expected https://${target.url.host}/...`);
        }
        if (answer.status !== 301 && answer.status !== 308) {
            return fail(`${what} to ${to.href}: a temporary redirect; expected a permanent one (301 or 308)`);
        }
        return pass(`${what} to ${to.href}`);
    });
}

function hsts(home: Exchange) {
    return answered(home, (answer) => {
        const value = header(answer, "strict-transport-security");
        if (!value) {
            return fail(`${home.label}: no Strict-Transport-Security header`);
        }
        const maxAge = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value);
        if (!maxAge || Number(maxAge[1]) < HSTS_MIN_SECONDS) {
            return fail(`${shown(value)}: max-age under ${HSTS_MIN_SECONDS} (1 year)`);
        }
        return pass(shown(value));
    });
}

function securityHeaders(home: Exchange) {
    return answered(home, (answer) => {
        const csp = header(answer, "content-security-policy");
        const frameOptions = header(answer, "x-frame-options");
        const referrer = header(answer, "referrer-policy");
        const present: string[] = [];
        const missing: string[] = [];
        if (header(answer, "x-content-type-options")?.trim().toLowerCase() === "nosniff") {
            present.push("X-Content-Type-Options nosniff");
        } else {
            missing.push("X-Content-Type-Options: nosniff");
        }
        const frameAncestors = csp && /(?:^|;)\s*(frame-ancestors\s+[^;]+)/i.exec(csp)?.[1].trim();
        if (frameAncestors) {
            present.push(`CSP ${shown(frameAncestors)}`);
        } else if (frameOptions && /^(deny|sameorigin)$/i.test(frameOptions.trim())) {
            present.push(`X-Frame-Options ${shown(frameOptions)}`);
        } else {
            missing.push("a frame policy (X-Frame-Options DENY or SAMEORIGIN, or CSP frame-ancestors)");
        }
        if (csp || referrer) {
            present.push(...(csp ? ["Content-Security-Policy"] : []), ...(referrer ? [`Referrer-Policy ${shown(referrer)}`] : []));
        } else {
            missing.push("Content-Security-Policy or Referrer-Policy");
        }
        return missing.length > 0 ? fail(`${home.label}: missing ${missing.join("; ")}`) : pass(present.join(", "));
    });
}

function cors({ foreignOrigin, allowedOrigins }: Observations) {
    const problems: string[] = [];
    const seen: string[] = [];
    const foreign = foreignOrigin.outcome;
    if (!foreign.value) {
        return fail(`${foreignOrigin.label}: ${foreign.error.message}`);
    }
    const admitted = header(foreign.value, "access-control-allow-origin");
    if (admitted === "*" || admitted === FOREIGN_ORIGIN) {
        problems.push(`a foreign origin (${FOREIGN_ORIGIN}) gets Access-Control-Allow-Origin: ${shown(admitted)}`);
    } else {
        seen.push(`a foreign origin gets ${admitted ? `Access-Control-Allow-Origin: ${shown(admitted)}` : "no Access-Control-Allow-Origin"}`);
    }
    for (const { origin, exchange } of allowedOrigins) {
        if (!exchange.outcome.value) {
            problems.push(`${exchange.label}: ${exchange.outcome.error.message}`);
            continue;
        }
        const value = header(exchange.outcome.value, "access-control-allow-origin");
        const credentials = header(exchange.outcome.value, "access-control-allow-credentials")?.trim().toLowerCase() === "true";
        if (value === "*" && credentials) {
            problems.push(`${origin} gets * with Access-Control-Allow-Credentials: true`);
        } else if (value !== origin) {
            problems.push(
                `${origin} gets ${value ? `Access-Control-Allow-Origin: ${shown(value)}` : "no Access-Control-Allow-Origin"}; expected exactly itself`,
            );
        } else {
            seen.push(`${origin} gets itself${credentials ? " (with credentials)" : ""}`);
        }
    }
    if (problems.length > 0) {
        return fail(problems.join("; "));
    }
    const unchecked = allowedOrigins.length === 0 ? "; no allowed origin to try (give --stack or --origin)" : "";
    return pass(`${seen.join("; ")}${unchecked}`);
}

function health(exchanges: Exchange[]) {
    const results = exchanges.map((exchange) => ({
        ok: exchange.outcome.value?.status === 200,
        text: exchange.outcome.value
            ? `${exchange.label.replace(/^GET /, "")} ${exchange.outcome.value.status} in ${exchange.outcome.value.milliseconds} ms`
            : `${exchange.label.replace(/^GET /, "")}: ${exchange.outcome.error.message}`,
    }));
    const message = results.map((r) => r.text).join("; ");
    return results.every((r) => r.ok) ? pass(message) : fail(`${message}; expected 200`);
}

function cookieNames(answer: Answer): string[] {
    return (answer.headers["set-cookie"] ?? []).map((cookie) => cookie.split("=")[0].trim()).filter(Boolean);
}

function noStickySessions(exchanges: Exchange[]) {
    const answers = exchanges.flatMap((e) => (e.outcome.value ? [e.outcome.value] : []));
    const names = [...new Set(answers.flatMap(cookieNames))];
    const affinity = names.filter((name) => AFFINITY_COOKIES.some((pattern) => pattern.test(name)));
    if (affinity.length > 0) {
        return fail(`${affinity.join(", ")} set: the load balancer pins each client to one target`);
    }
    return pass(`no affinity cookie in ${answers.length} answers${names.length > 0 ? ` (cookies set: ${names.join(", ")})` : ""}`);
}

function compression(exchange: Exchange) {
    return answered(exchange, (answer) => {
        const type = shown(header(answer, "content-type") ?? "no content type");
        const json = /^application\/(?:[\w.+-]*\+)?json\b/i.test(type);
        const size = `${answer.body.length} bytes of ${type.split(";")[0]}`;
        if (!json || answer.body.length <= COMPRESSIBLE_BYTES) {
            return skip(`${exchange.label} answers ${answer.status} with ${size}: no JSON over 1 KB to judge (give --compression-path)`);
        }
        return answer.encoding && answer.encoding !== "identity"
            ? pass(`${exchange.label}: ${size} served ${answer.encoding}`)
            : fail(`${exchange.label}: ${size} served uncompressed although the request accepts gzip, deflate, br`);
    });
}

function metricsNotPublic(exchange: Exchange) {
    return answered(exchange, (answer) => {
        const type = shown(header(answer, "content-type") ?? "");
        const exposition =
            /text\/plain;\s*version=0\.0\.4|application\/openmetrics-text/i.test(type) || /^# (HELP|TYPE) \w+/m.test(answer.body.toString("utf8"));
        if (answer.status >= 200 && answer.status < 300 && exposition) {
            return fail(`/metrics answers ${answer.status} with Prometheus metrics to anyone`);
        }
        return pass(`/metrics answers ${answer.status}${answer.status < 300 ? ` with ${type || "no content type"}, not metrics` : ""}`);
    });
}

function noStackTraces(exchanges: Exchange[]) {
    const leaks: string[] = [];
    const seen: string[] = [];
    for (const exchange of exchanges) {
        if (!exchange.outcome.value) {
            leaks.push(`${exchange.label}: ${exchange.outcome.error.message}`);
            continue;
        }
        const answer = exchange.outcome.value;
        const body = answer.body.toString("utf8");
        const found = LEAKS.flatMap(({ what, pattern }) => {
            const match = pattern.exec(body);
            return match ? [`${what} "${shown(match[0], 80)}"`] : [];
        });
        const poweredBy = header(answer, "x-powered-by");
        if (poweredBy) {
            found.push(`X-Powered-By: ${shown(poweredBy)}`);
        }
        const server = header(answer, "server");
        // The load balancer names itself (awselb/2.0) on its own answers; an application server's version is a banner.
        if (server && /\d/.test(server) && !/^awselb\//i.test(server)) {
            found.push(`Server: ${shown(server)}`);
        }
        if (found.length > 0) {
            leaks.push(`${exchange.label} (${answer.status}): ${found.join(", ")}`);
        } else {
            seen.push(`${exchange.label} ${answer.status}`);
        }
    }
    return leaks.length > 0 ? fail(leaks.join("; ")) : pass(`no stack trace or framework banner: ${seen.join("; ")}`);
}

function rateLimit({ burst }: Observations, { rateLimitProbe, target }: Expectations) {
    if (!burst || !rateLimitProbe) {
        return skip("not probed: --rate-limit-probe N sends a burst of up to N requests, which trips the WAF's rate rule for this address");
    }
    const statuses = Object.entries(burst.statuses)
        .map(([status, count]) => `${status} x${count}`)
        .join(", ");
    if (burst.limitedAfter !== undefined) {
        return pass(`${burst.limitStatus} after ${burst.limitedAfter} answers, of at most ${rateLimitProbe} requests (${burst.sent} sent: ${statuses})`);
    }
    const configured = target.rateLimitPerFiveMinutes;
    const tooFew =
        configured !== undefined && rateLimitProbe <= configured
            ? `; the stack's WAF limit is ${configured} requests per 5 minutes per address: probe with more than that`
            : "";
    return fail(`no ${LIMITED_STATUSES.join(" or ")} in ${burst.sent} requests (${statuses})${tooFew}`);
}
