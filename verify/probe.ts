import { randomBytes } from "crypto";
import * as http from "http";
import * as https from "https";
import { Answer, Client, Handshake, isUnreachable, ProbeError, RequestInit, Versions } from "./client";
import { Target } from "./target";

/** What a request came to: its answer, or why there was none. */
export type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: ProbeError };

/** One request of the probe: what was asked, and what came back. */
export interface Exchange {
    label: string;
    outcome: Outcome<Answer>;
}

export interface BurstTally {
    sent: number;
    /** How many answers had come, in the order they came, when the first 429 or 403 did. */
    limitedAfter?: number;
    limitStatus?: number;
    statuses: Record<string, number>;
}

/** Everything the checks judge, gathered first, in a fixed sequence of requests. */
export interface Observations {
    served: Handshake;
    legacy: Outcome<Handshake>;
    tls12: Outcome<Handshake>;
    tls13: Outcome<Handshake>;
    redirect: Exchange;
    home: Exchange;
    compression: Exchange;
    foreignOrigin: Exchange;
    allowedOrigins: { origin: string; exchange: Exchange }[];
    health: Exchange[];
    metrics: Exchange;
    missingPath: Exchange;
    malformedBody: Exchange;
    /** Every answer but the burst's: where affinity cookies would show. */
    answers: Exchange[];
    burst?: BurstTally;
}

/** The host cannot be reached at all: no report, exit code 2. */
export class UnreachableError extends Error {}

/** An origin no deployment admits: `.invalid` is reserved (RFC 2606). */
export const FOREIGN_ORIGIN = "https://platform-verify.invalid";
/** What a browser asks for. */
const ACCEPT_ENCODING = "gzip, deflate, br";
/** How many burst requests are in flight at once. */
const BURST_CONCURRENCY = 10;
/** The answers a rate limit gives: 429 from the application, 403 from AWS WAF's block action. */
export const LIMITED_STATUSES = [429, 403];

/** The number of requests a probe makes (the burst at most `rateLimitProbe`): fixed before the first one. */
export function plannedRequests(target: Target, rateLimitProbe = 0): number {
    const handshakes = 4;
    const separateCompression = target.compressionPath !== target.url.pathname ? 1 : 0;
    return handshakes + 1 + 1 + separateCompression + 1 + target.allowedOrigins.length + target.healthPaths.length + 1 + 2 + rateLimitProbe;
}

export async function observe(client: Client, target: Target, rateLimitProbe?: number): Promise<Observations> {
    const site = target.url;
    let served: Handshake;
    try {
        served = await client.handshake(site);
    } catch (err) {
        const reason = err instanceof ProbeError ? err.message : String(err);
        throw new UnreachableError(isUnreachable(err) ? `cannot reach ${site.host}: ${reason}` : `no TLS handshake with ${site.host}: ${reason}`);
    }
    const handshake = (versions: Versions) => attempt(client.handshake(site, versions));
    const legacy = await handshake({ min: "TLSv1", max: "TLSv1.1" });
    const tls12 = await handshake({ min: "TLSv1.2", max: "TLSv1.2" });
    const tls13 = await handshake({ min: "TLSv1.3", max: "TLSv1.3" });

    const answers: Exchange[] = [];
    const exchange = async (label: string, url: URL, init: RequestInit = {}): Promise<Exchange> => {
        const headers = { accept: "application/json", "accept-encoding": ACCEPT_ENCODING, ...init.headers };
        const result = { label, outcome: await attempt(client.request(url, { ...init, headers })) };
        answers.push(result);
        return result;
    };
    const at = (path: string) => new URL(path, site);

    const redirect = await exchange(`GET ${target.httpUrl.href}`, target.httpUrl);
    const home = await exchange(`GET ${site.pathname}`, site);
    const compression = target.compressionPath === site.pathname ? home : await exchange(`GET ${target.compressionPath}`, at(target.compressionPath));
    const foreignOrigin = await exchange(`GET ${site.pathname} from ${FOREIGN_ORIGIN}`, site, { headers: { origin: FOREIGN_ORIGIN } });
    const allowedOrigins = [];
    for (const origin of target.allowedOrigins) {
        allowedOrigins.push({ origin, exchange: await exchange(`GET ${site.pathname} from ${origin}`, site, { headers: { origin } }) });
    }
    const health = [];
    for (const path of target.healthPaths) {
        health.push(await exchange(`GET ${path}`, at(path)));
    }
    const metrics = await exchange("GET /metrics", at("/metrics"));
    const missing = `/platform-verify-missing-${randomBytes(4).toString("hex")}`;
    const missingPath = await exchange(`GET ${missing}`, at(missing));
    const malformedBody = await exchange(`POST ${site.pathname} with malformed JSON`, site, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"platform-verify": ',
    });
    // Last: once the limit trips, the WAF blocks this address for a while.
    const burst = rateLimitProbe ? await sendBurst(client, site, rateLimitProbe) : undefined;
    return {
        served,
        legacy,
        tls12,
        tls13,
        redirect,
        home,
        compression,
        foreignOrigin,
        allowedOrigins,
        health,
        metrics,
        missingPath,
        malformedBody,
        answers,
        burst,
    };
}

async function attempt<T>(promise: Promise<T>): Promise<Outcome<T>> {
    try {
        return { value: await promise };
    } catch (err) {
        if (err instanceof ProbeError) {
            return { error: err };
        }
        throw err;
    }
}

/** Up to `limit` requests, BURST_CONCURRENCY at a time over kept-alive connections; none starts after the first 429 or 403. */
async function sendBurst(client: Client, url: URL, limit: number): Promise<BurstTally> {
    const agent =
        url.protocol === "https:"
            ? new https.Agent({ keepAlive: true, maxSockets: BURST_CONCURRENCY })
            : new http.Agent({ keepAlive: true, maxSockets: BURST_CONCURRENCY });
    const tally: BurstTally = { sent: 0, statuses: {} };
    let answers = 0;
    const worker = async () => {
        while (tally.sent < limit && tally.limitedAfter === undefined) {
            tally.sent++;
            const outcome = await attempt(client.request(url, {}, agent));
            const key = outcome.value ? String(outcome.value.status) : "no answer";
            tally.statuses[key] = (tally.statuses[key] ?? 0) + 1;
            answers++;
            if (outcome.value && LIMITED_STATUSES.includes(outcome.value.status) && tally.limitedAfter === undefined) {
                tally.limitedAfter = answers;
                tally.limitStatus = outcome.value.status;
            }
        }
    };
    try {
        await Promise.all(Array.from({ length: Math.min(BURST_CONCURRENCY, limit) }, worker));
    } finally {
        agent.destroy();
    }
    return tally;
}
