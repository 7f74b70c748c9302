import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import * as zlib from "zlib";

/** The most of a response body read: enough for any page a check looks at; the rest is not fetched. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Why a request got no answer: no connection, no handshake, or no answer in time. Each is one line for a check's message. */
export class ProbeError extends Error {
    constructor(
        message: string,
        readonly code: string,
    ) {
        super(message);
        this.name = "ProbeError";
    }
}

/** Errors that mean nothing is listening, or nothing can be reached, at the address. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "TIMEOUT"]);

export function isUnreachable(err: unknown): err is ProbeError {
    return err instanceof ProbeError && UNREACHABLE.has(err.code);
}

export interface Handshake {
    /** The negotiated protocol, e.g. "TLSv1.3". */
    protocol: string;
    /** Whether the chain verifies to a trusted root and the certificate names the host. */
    authorized: boolean;
    /** Why not, as OpenSSL or Node names it (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ...). */
    authorizationError?: string;
    certificate: tls.PeerCertificate;
}

export interface Answer {
    status: number;
    headers: http.IncomingHttpHeaders;
    /** The body as served, decompressed; at most MAX_BODY_BYTES of what came over the wire. */
    body: Buffer;
    /** The Content-Encoding it came with, if any. */
    encoding?: string;
    milliseconds: number;
}

export interface RequestInit {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
}

/** Versions for a handshake; the legacy ones need OpenSSL's security level 0 to be offered at all. */
export interface Versions {
    min: tls.SecureVersion;
    max: tls.SecureVersion;
}

/**
 * Every connection the probe makes: one at a time or a bounded burst, each with a deadline, never retried,
 * each counted. The certificate is judged by its own check, so requests go on over a certificate that
 * does not verify (nothing secret is ever sent).
 */
export class Client {
    requests = 0;
    private readonly ca?: string[];

    constructor(
        private readonly timeoutMs: number,
        extraCa?: string,
    ) {
        this.ca = extraCa === undefined ? undefined : [...tls.rootCertificates, extraCa];
    }

    get timeoutText(): string {
        return `${this.timeoutMs / 1000} s`;
    }

    /** One TLS handshake (no request): the protocol, the verdict on the certificate, the certificate. */
    handshake(url: URL, versions?: Versions): Promise<Handshake> {
        this.requests++;
        const host = url.hostname.replace(/^\[|\]$/g, "");
        return new Promise((resolve, reject) => {
            const socket = tls.connect({
                host,
                port: Number(url.port || 443),
                // SNI takes names only, never an address.
                servername: isAddress(host) ? undefined : host,
                ca: this.ca,
                rejectUnauthorized: false,
                ...(versions ? { minVersion: versions.min, maxVersion: versions.max, ciphers: legacyCiphers(versions) } : {}),
            });
            const timer = setTimeout(() => socket.destroy(new ProbeError(`no TLS handshake within ${this.timeoutText}`, "TIMEOUT")), this.timeoutMs);
            socket.once("secureConnect", () => {
                clearTimeout(timer);
                const result: Handshake = {
                    protocol: socket.getProtocol() ?? "unknown",
                    authorized: socket.authorized,
                    authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
                    certificate: socket.getPeerCertificate(),
                };
                socket.end();
                resolve(result);
            });
            socket.on("error", (err) => {
                clearTimeout(timer);
                socket.destroy();
                reject(asProbeError(err));
            });
        });
    }

    /** One request on a connection of its own; redirects are not followed. */
    request(url: URL, init: RequestInit = {}, agent?: http.Agent): Promise<Answer> {
        this.requests++;
        const started = Date.now();
        const secure = url.protocol === "https:";
        const transport = secure ? https : http;
        return new Promise((resolve, reject) => {
            const request = transport.request(url, {
                method: init.method ?? "GET",
                headers: {
                    "user-agent": "platform-verify/1",
                    ...(init.body !== undefined ? { "content-length": String(Buffer.byteLength(init.body)) } : {}),
                    ...init.headers,
                },
                agent: agent ?? false,
                ...(secure ? { ca: this.ca, rejectUnauthorized: false } : {}),
            });
            let settled = false;
            const settle = (outcome: () => void) => {
                if (!settled) {
                    settled = true;
                    clearTimeout(timer);
                    outcome();
                }
            };
            const timer = setTimeout(() => {
                settle(() => reject(new ProbeError(`no answer within ${this.timeoutText}`, "TIMEOUT")));
                request.destroy();
            }, this.timeoutMs);
            request.on("error", (err) => settle(() => reject(asProbeError(err))));
            request.once("response", (response) => {
                const chunks: Buffer[] = [];
                let length = 0;
                const done = () =>
                    settle(() => {
                        const encoding = response.headers["content-encoding"];
                        resolve({
                            status: response.statusCode ?? 0,
                            headers: response.headers,
                            body: decode(Buffer.concat(chunks), encoding),
                            encoding,
                            milliseconds: Date.now() - started,
                        });
                    });
                response.on("data", (chunk: Buffer) => {
                    chunks.push(chunk);
                    length += chunk.length;
                    if (length >= MAX_BODY_BYTES) {
                        // Enough read: end the answer here rather than fetch the rest.
                        done();
                        response.destroy();
                    }
                });
                response.once("end", done);
                response.on("error", (err) => settle(() => reject(asProbeError(err))));
            });
            request.end(init.body);
        });
    }
}

function isAddress(host: string): boolean {
    return /^[\d.]+$/.test(host) || host.includes(":");
}

/** TLS 1.0 and 1.1 sign with SHA-1, which OpenSSL 3 refuses above security level 0: offer them as an old client would. */
function legacyCiphers(versions: Versions): string | undefined {
    return versions.min === "TLSv1" || versions.min === "TLSv1.1" ? "DEFAULT:@SECLEVEL=0" : undefined;
}

/** A body as the application sent it; one that does not decode stays as it came. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
    const limit = { maxOutputLength: 4 * MAX_BODY_BYTES, finishFlush: zlib.constants.Z_SYNC_FLUSH };
    try {
        switch (encoding?.trim().toLowerCase()) {
            case "gzip":
            case "x-gzip":
                return zlib.gunzipSync(body, limit);
            case "deflate":
                return zlib.inflateSync(body, limit);
            case "br":
                return zlib.brotliDecompressSync(body, { maxOutputLength: limit.maxOutputLength, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
            default:
                return body;
        }
    } catch {
        return body;
    }
}

const REASONS: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "the name does not resolve",
    EAI_AGAIN: "the name could not be resolved (DNS unavailable)",
    EHOSTUNREACH: "no route to the host",
    ENETUNREACH: "the network is unreachable",
    ETIMEDOUT: "the connection timed out",
    ECONNRESET: "the connection was reset",
    EPIPE: "the connection was closed",
};

function asProbeError(err: unknown): ProbeError {
    if (err instanceof ProbeError) {
        return err;
    }
    const code = (err as NodeJS.ErrnoException).code ?? "ERROR";
    // OpenSSL's own codes read as what they say: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION -> "tlsv1 alert protocol version".
    const reason = REASONS[code] ?? (code.startsWith("ERR_SSL_") ? code.slice(8).toLowerCase().replace(/_/g, " ") : (err as Error).message.split("\n")[0]);
    return new ProbeError(reason, code);
}
