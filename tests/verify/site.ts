import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import * as zlib from "zlib";
import { KeyAndCertificate } from "./certificates";

/** The origin the test API admits. */
export const APP_ORIGIN = "https://app.localhost";

/** What a test site gets wrong; by default it does everything right. */
export interface Faults {
    /** Accepts TLS 1.0 and 1.1 handshakes. */
    legacyTls?: boolean;
    /** Plain HTTP answers this instead of a 301 to https. */
    httpStatus?: 200 | 302;
    noHsts?: boolean;
    shortHsts?: boolean;
    noSecurityHeaders?: boolean;
    /** Echoes any Origin back, with credentials. */
    corsEchoesAnyOrigin?: boolean;
    /** Never answers 429. */
    noRateLimit?: boolean;
    /** Sets AWSALB/AWSALBCORS, as an ALB target group with stickiness does. */
    stickyCookie?: boolean;
    noCompression?: boolean;
    /** Serves Prometheus metrics on /metrics. */
    publicMetrics?: boolean;
    /** Error pages carry the stack trace and X-Powered-By, as Express does outside production. */
    stackTraces?: boolean;
    /** /health answers after this long. */
    healthDelayMs?: number;
    healthStatus?: number;
}

/** Requests to / in RATE_WINDOW_MS after which the good site answers 429. */
const RATE_LIMIT = 20;
const RATE_WINDOW_MS = 10000;

export interface Site {
    /** https://localhost:PORT/ */
    url: string;
    /** http://localhost:PORT/ */
    httpUrl: string;
    close(): Promise<void>;
}

const LARGE_JSON = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `template-${i}`, description: "a compressible entry" })) });

const EXPRESS_404_TRACE =
    "Error: Not Found\n    at /app/src/server.js:42:13\n    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)";
const BODY_PARSER_TRACE =
    "SyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n" + "    at parse (/app/node_modules/body-parser/lib/types/json.js:92:19)";

/** An API on 127.0.0.1 over https, and its plain-http listener, behaving like the platform's services (with the given faults). */
export async function startSite(certificate: KeyAndCertificate, faults: Faults = {}): Promise<Site> {
    const recent: number[] = [];
    const pending = new Set<NodeJS.Timeout>();
    const api = https.createServer(
        {
            ...certificate,
            ...(faults.legacyTls ? { minVersion: "TLSv1" as const, ciphers: "DEFAULT:@SECLEVEL=0" } : {}),
        },
        (request, response) => {
            const url = new URL(request.url ?? "/", "https://localhost");
            if (!faults.noHsts) {
                response.setHeader("strict-transport-security", faults.shortHsts ? "max-age=300" : "max-age=31536000; includeSubDomains");
            }
            if (!faults.noSecurityHeaders) {
                response.setHeader("x-content-type-options", "nosniff");
                response.setHeader("x-frame-options", "DENY");
                response.setHeader("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
                response.setHeader("referrer-policy", "no-referrer");
            }
            const origin = request.headers.origin;
            if (origin && (origin === APP_ORIGIN || faults.corsEchoesAnyOrigin)) {
                response.setHeader("access-control-allow-origin", origin);
                response.setHeader("access-control-allow-credentials", "true");
                response.setHeader("vary", "Origin");
            }
            response.setHeader(
                "set-cookie",
                faults.stickyCookie
                    ? [
                          "AWSALB=c2lnbmVk; Expires=Tue, 01 Dec 2099 00:00:00 GMT; Path=/",
                          "AWSALBCORS=c2lnbmVk; Path=/; SameSite=None; Secure",
                          "csrf=token; Secure; HttpOnly",
                      ]
                    : ["csrf=token; Secure; HttpOnly"],
            );
            if (faults.stackTraces) {
                response.setHeader("x-powered-by", "Express");
            }
            const json = (status: number, body: string) => {
                const compress = !faults.noCompression && body.length > 1024 && /\bgzip\b/.test(String(request.headers["accept-encoding"]));
                response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...(compress ? { "content-encoding": "gzip" } : {}) });
                response.end(compress ? zlib.gzipSync(body) : body);
            };
            if (url.pathname === "/" && request.method === "GET") {
                const now = Date.now();
                recent.push(now);
                while (recent[0] < now - RATE_WINDOW_MS) {
                    recent.shift();
                }
                return !faults.noRateLimit && recent.length > RATE_LIMIT ? json(429, '{"error":"too many requests"}') : json(200, '{"name":"api"}');
            }
            if (url.pathname === "/health") {
                const timer = setTimeout(() => {
                    pending.delete(timer);
                    json(faults.healthStatus ?? 200, '{"status":"ok"}');
                }, faults.healthDelayMs ?? 0);
                pending.add(timer);
                return;
            }
            if (url.pathname === "/templates") {
                return json(200, LARGE_JSON);
            }
            if (url.pathname === "/metrics" && faults.publicMetrics) {
                response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
                return response.end(
                    "# HELP process_cpu_seconds_total Total user and system CPU time.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n",
                );
            }
            if (request.method === "POST") {
                request.resume();
                return request.on("end", () =>
                    faults.stackTraces ? json(400, JSON.stringify({ error: BODY_PARSER_TRACE })) : json(400, '{"error":"invalid JSON"}'),
                );
            }
            if (faults.stackTraces) {
                response.writeHead(404, { "content-type": "text/html; charset=utf-8" });
                return response.end(`<pre>${EXPRESS_404_TRACE}</pre>`);
            }
            return json(404, '{"error":"not found"}');
        },
    );
    const plain = http.createServer((request, response) => {
        if (faults.httpStatus === 200) {
            response.writeHead(200, { "content-type": "text/plain" });
            response.end("hello over plain http");
        } else {
            response.writeHead(faults.httpStatus ?? 301, { location: `https://localhost:${port(api)}${request.url}` });
            response.end();
        }
    });
    await Promise.all([listen(api), listen(plain)]);
    return {
        url: `https://localhost:${port(api)}/`,
        httpUrl: `http://localhost:${port(plain)}/`,
        async close() {
            pending.forEach(clearTimeout);
            await Promise.all([close(api), close(plain)]);
        },
    };
}

function port(server: http.Server): number {
    return (server.address() as AddressInfo).port;
}

export function listen(server: { listen(port: number, host: string, done: () => void): unknown }): Promise<void> {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
}

export function close(server: http.Server | https.Server): Promise<void> {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
}
