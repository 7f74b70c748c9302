import * as assert from "assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { XMLParser } from "fast-xml-parser";
import { LIVE_CHECKS } from "../../policies/catalog";
import { readVerify } from "../../policies/evidence/records";
import { CheckResult } from "../../verify/checks";
import { FORMATS, VerifyOptions } from "../../verify/options";
import { plannedRequests, UnreachableError } from "../../verify/probe";
import { render } from "../../verify/report";
import { PROJECT_DIR, runVerify } from "../../verify/run";
import { resolveTarget } from "../../verify/target";
import { makeCertificates, TestCertificates } from "./certificates";
import { APP_ORIGIN, Faults, listen, Site, startSite } from "./site";

/** Enough to trip the good site's limit (20 requests to / in 10 s, 3 of them the checks'), few enough to stay quick. */
const BURST = 30;

describe("verify", function () {
    this.timeout(60000);
    let certificates: TestCertificates;
    let dir: string;
    let caFile: string;
    const sites: Site[] = [];

    before(() => {
        certificates = makeCertificates();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
        caFile = path.join(dir, "ca.pem");
        fs.writeFileSync(caFile, certificates.ca);
    });
    afterEach(async () => {
        await Promise.all(sites.splice(0).map((site) => site.close()));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const site = async (faults: Faults = {}, certificate = certificates.valid) => {
        const started = await startSite(certificate, faults);
        sites.push(started);
        return started;
    };
    const options = (target: Site, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
        url: target.url,
        httpUrl: target.httpUrl,
        ca: caFile,
        origins: [APP_ORIGIN],
        healthPaths: [],
        certMinDays: 30,
        timeoutSeconds: 5,
        format: "json",
        help: false,
        ...extra,
    });
    /** Every check of a full probe: the large JSON path given, the rate limit probed. */
    const fully = (target: Site, extra: Partial<VerifyOptions> = {}) =>
        runVerify(options(target, { compressionPath: "/templates", rateLimitProbe: BURST, ...extra }));
    const byId = (checks: CheckResult[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

    it("passes every check on a site that does everything right, saying what it saw", async () => {
        const target = await site();
        const outcome = await fully(target);
        const checks = byId(outcome.record.checks);
        assert.deepEqual(
            outcome.record.checks.map((c) => c.id),
            [...LIVE_CHECKS],
        );
        assert.deepEqual(
            outcome.record.checks.filter((c) => c.status !== "pass"),
            [],
        );
        assert.equal(outcome.exitCode, 0);
        assert.match(
            checks["tls-min-version"].message,
            /^TLS 1\.1 and older refused \(tlsv1 alert protocol version\); TLS 1\.2 accepted \(TLSv1\.2\); TLS 1\.3 accepted \(TLSv1\.3\)$/,
        );
        assert.match(
            checks["certificate-valid"].message,
            /^chain verifies for localhost, issued by platform-verify test CA; SAN DNS:localhost, IP Address:127\.0\.0\.1$/,
        );
        assert.match(checks["certificate-expiry"].message, /^(199|200) days left \(until \d{4}-\d\d-\d\d\)$/);
        assert.match(checks["https-redirect"].message, /answers 301 to https:\/\/localhost:\d+\/$/);
        assert.equal(checks.hsts.message, "max-age=31536000; includeSubDomains");
        assert.equal(checks.cors.message, `a foreign origin gets no Access-Control-Allow-Origin; ${APP_ORIGIN} gets itself (with credentials)`);
        assert.match(checks.health.message, /^\/health 200 in \d+ ms$/);
        assert.equal(checks["no-sticky-sessions"].message, "no affinity cookie in 9 answers (cookies set: csrf)");
        assert.match(checks.compression.message, /^GET \/templates: \d{4,} bytes of application\/json served gzip$/);
        assert.equal(checks["metrics-not-public"].message, "/metrics answers 404");
        assert.match(checks["rate-limit"].message, /^429 after \d+ answers, of at most 30 requests \(\d+ sent: 200 x17, 429 x\d+\)$/);
        // Its JSON is the evidence record the preflight reads.
        assert.deepEqual(readVerify("verify.json", JSON.parse(outcome.report)).facts.failed, 0);
        // 4 handshakes, 9 requests and a burst that starts no request after the first 429: at most the 43 planned.
        assert.equal(plannedRequests(resolveTarget(options(target, { compressionPath: "/templates" }), PROJECT_DIR), BURST), 43);
        const sent = Number(/\((\d+) sent/.exec(checks["rate-limit"].message)![1]);
        assert.equal(outcome.record.requests, 13 + sent);
        assert.ok(sent <= BURST);
    });

    it("by default skips the rate limit, and makes exactly the requests it planned", async () => {
        const target = await site();
        const outcome = await runVerify(options(target));
        const checks = byId(outcome.record.checks);
        assert.equal(checks["rate-limit"].status, "skip");
        assert.match(checks["rate-limit"].message, /trips the WAF's rate rule/);
        // GET / answers 15 bytes of JSON: nothing to judge compression on.
        assert.equal(checks.compression.status, "skip");
        assert.equal(outcome.exitCode, 0);
        // 4 handshakes; the redirect, /, a foreign and an allowed origin, /health, /metrics, a missing path, a malformed body.
        assert.equal(outcome.record.requests, 12);
        assert.equal(plannedRequests(resolveTarget(options(target), PROJECT_DIR)), 12);
        assert.equal(outcome.summary, "13 checks: 11 passed, 0 failed, 2 skipped; 12 requests (at most 12 planned)");
    });

    const faults: { fault: Faults; id: CheckResult["id"]; message: RegExp }[] = [
        { fault: { legacyTls: true }, id: "tls-min-version", message: /^TLS 1\.1 and older accepted \(TLSv1\.1\); TLS 1\.2 accepted/ },
        { fault: { httpStatus: 200 }, id: "https-redirect", message: /answers 200 without redirecting to https:\/\/$/ },
        {
            fault: { httpStatus: 302 },
            id: "https-redirect",
            message: /answers 302 to https:\/\/localhost:\d+\/: a temporary redirect; expected a permanent one/,
        },
        { fault: { noHsts: true }, id: "hsts", message: /^GET \/: no Strict-Transport-Security header$/ },
        { fault: { shortHsts: true }, id: "hsts", message: /^max-age=300: max-age under 31536000/ },
        {
            fault: { noSecurityHeaders: true },
            id: "security-headers",
            message: /missing X-Content-Type-Options: nosniff; a frame policy .*; Content-Security-Policy or Referrer-Policy$/,
        },
        {
            fault: { corsEchoesAnyOrigin: true },
            id: "cors",
            message: /^a foreign origin \(https:\/\/platform-verify\.invalid\) gets Access-Control-Allow-Origin: https:\/\/platform-verify\.invalid$/,
        },
        { fault: { noRateLimit: true }, id: "rate-limit", message: /^no 429 or 403 in 30 requests \(200 x30\)$/ },
        { fault: { stickyCookie: true }, id: "no-sticky-sessions", message: /^AWSALB, AWSALBCORS set: the load balancer pins each client to one target$/ },
        { fault: { noCompression: true }, id: "compression", message: /^GET \/templates: \d+ bytes of application\/json served uncompressed/ },
        { fault: { publicMetrics: true }, id: "metrics-not-public", message: /^\/metrics answers 200 with Prometheus metrics to anyone$/ },
        {
            fault: { stackTraces: true },
            id: "no-stack-traces",
            message:
                /GET \/platform-verify-missing-[0-9a-f]{8} \(404\): a Node\.js stack frame "at \/app\/src\/server\.js:42:13".*X-Powered-By: Express; POST \/ with malformed JSON \(400\): .*node_modules\/body-parser/,
        },
        { fault: { healthStatus: 503 }, id: "health", message: /^\/health 503 in \d+ ms; expected 200$/ },
    ];
    for (const { fault, id, message } of faults) {
        it(`fails ${id} alone on a site with ${JSON.stringify(fault)}`, async () => {
            const outcome = await fully(await site(fault));
            const failing = outcome.record.checks.filter((c) => c.status !== "pass");
            assert.deepEqual(
                failing.map((c) => [c.id, c.status]),
                [[id, "fail"]],
            );
            assert.match(failing[0].message, message);
            assert.equal(outcome.exitCode, 1);
        });
    }

    describe("certificates", () => {
        it("fails an expired certificate on both counts", async () => {
            const checks = byId((await runVerify(options(await site({}, certificates.expired)))).record.checks);
            assert.equal(checks["certificate-valid"].status, "fail");
            assert.match(checks["certificate-valid"].message, /^the certificate expired on .+ \(CERT_HAS_EXPIRED\)$/);
            assert.equal(checks["certificate-expiry"].status, "fail");
            assert.match(checks["certificate-expiry"].message, /^expired 1[01] day\(s\) ago, on \d{4}-\d\d-\d\d$/);
        });

        it("fails a certificate for another host, naming what it covers", async () => {
            const checks = byId((await runVerify(options(await site({}, certificates.wrongHost)))).record.checks);
            assert.deepEqual([checks["certificate-valid"].status, checks["certificate-expiry"].status], ["fail", "pass"]);
            assert.equal(
                checks["certificate-valid"].message,
                "the certificate does not name localhost: it names DNS:wrong-host.example (ERR_TLS_CERT_ALTNAME_INVALID)",
            );
        });

        it("fails a certificate expiring in 10 days, unless the margin is lowered", async () => {
            const target = await site({}, certificates.expiringSoon);
            const soon = byId((await runVerify(options(target))).record.checks);
            assert.deepEqual([soon["certificate-valid"].status, soon["certificate-expiry"].status], ["pass", "fail"]);
            assert.match(soon["certificate-expiry"].message, /^10 days left \(until \d{4}-\d\d-\d\d\); more than 30 needed: renew it$/);
            assert.equal(byId((await runVerify(options(target, { certMinDays: 7 }))).record.checks)["certificate-expiry"].status, "pass");
        });

        it("fails a chain it cannot verify: a private CA not given with --ca, a self-signed certificate", async () => {
            const untrusted = byId((await runVerify(options(await site(), { ca: undefined }))).record.checks);
            assert.match(
                untrusted["certificate-valid"].message,
                /^the chain does not reach a trusted root from platform-verify test CA: .*give --ca .* \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/,
            );
            const selfSigned = byId((await runVerify(options(await site({}, certificates.selfSigned)))).record.checks);
            assert.equal(selfSigned["certificate-valid"].message, "the certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)");
        });
    });

    describe("bounded in time", () => {
        it("fails a health endpoint that does not answer within the timeout, and finishes the rest", async () => {
            const outcome = await runVerify(options(await site({ healthDelayMs: 5000 }), { timeoutSeconds: 1 }));
            const failing = outcome.record.checks.filter((c) => c.status === "fail");
            assert.deepEqual(failing, [{ id: "health", status: "fail", message: "/health: no answer within 1 s; expected 200" }]);
            // Not retried: the 12 planned requests, no more.
            assert.equal(outcome.record.requests, 12);
        });

        it("fails the redirect when plain HTTP is closed", async () => {
            const target = await site();
            const closedPort = await freePort();
            const checks = byId((await runVerify(options(target, { httpUrl: `http://localhost:${closedPort}/` }))).record.checks);
            assert.equal(checks["https-redirect"].message, `GET http://localhost:${closedPort}/: connection refused`);
        });

        it("refuses an unreachable port with one message and no report", async () => {
            const port = await freePort();
            await assert.rejects(
                runVerify(options(await site(), { url: `https://localhost:${port}/` })),
                (err: Error) => err instanceof UnreachableError && err.message === `cannot reach localhost:${port}: connection refused`,
            );
        });

        it("gives up on a host that accepts connections but never completes a handshake", async () => {
            // Reads the ClientHello and never answers it.
            const silent = net.createServer((socket) => socket.resume());
            await listen(silent);
            const port = (silent.address() as net.AddressInfo).port;
            try {
                await assert.rejects(
                    runVerify(options(await site(), { url: `https://localhost:${port}/`, timeoutSeconds: 1 })),
                    (err: Error) => err instanceof UnreachableError && err.message === `cannot reach localhost:${port}: no TLS handshake within 1 s`,
                );
            } finally {
                await new Promise((resolve) => silent.close(resolve));
            }
        });
    });

    describe("reports", () => {
        let record: Awaited<ReturnType<typeof runVerify>>["record"];
        before(async function () {
            const target = await startSite(certificates.valid, { noHsts: true });
            try {
                record = (await runVerify(options(target))).record;
            } finally {
                await target.close();
            }
        });
        const context = { stack: undefined, plannedRequests: 12 };

        it("writes every format, each with every check and its status", () => {
            const rendered = Object.fromEntries(FORMATS.map((format) => [format, render(record, format, context)]));
            const text = rendered.text.split("\n");
            assert.match(text[0], /^Verify https:\/\/localhost:\d+\/ at \d{4}-\d\d-\d\dT/);
            assert.match(rendered.text, /^ {2}FAIL hsts +GET \/: no Strict-Transport-Security header$/m);
            assert.match(rendered.text, /^ {2}SKIP rate-limit +not probed/m);
            assert.equal(text[text.length - 2], "13 checks: 10 passed, 1 failed, 2 skipped; 12 requests (at most 12 planned)");

            assert.deepEqual(JSON.parse(rendered.json), record);
            assert.match(rendered.markdown, /^\| `hsts` \| \*\*FAIL\*\* \| GET \/: no Strict-Transport-Security header \|$/m);
            assert.equal(rendered.markdown.split("\n").filter((line) => line.startsWith("| `")).length, 13);

            const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(rendered.junit);
            const suite = junit.testsuites.testsuite;
            assert.deepEqual([suite.tests, suite.failures, suite.skipped], ["13", "1", "2"]);
            const hstsCase = suite.testcase.find((c: any) => c.name === "hsts");
            assert.equal(hstsCase.failure.message, "GET /: no Strict-Transport-Security header");
            assert.equal(suite.testcase.filter((c: any) => c.skipped).length, 2);
        });

        it("keeps the JSON to the evidence format", () => {
            const evidence = readVerify("verify.json", JSON.parse(render(record, "json", context)));
            assert.equal(evidence.kind, "verify");
            assert.deepEqual([evidence.facts.passed, evidence.facts.failed, evidence.facts.skipped, evidence.facts.requests], [10, 1, 2, 12]);
        });
    });

    describe("stack config", () => {
        const base = { origins: [], healthPaths: [], certMinDays: 30, timeoutSeconds: 10, format: "text" as const, help: false };

        it("reads the domain, the public services' health paths, the CORS origins and the rate limit of a stack", () => {
            const target = resolveTarget({ ...base, stack: "production" }, PROJECT_DIR);
            assert.deepEqual(
                {
                    url: target.url.href,
                    httpUrl: target.httpUrl.href,
                    healthPaths: target.healthPaths,
                    origins: target.allowedOrigins,
                    limit: target.rateLimitPerFiveMinutes,
                },
                {
                    url: "https://api.acme-example.com/",
                    httpUrl: "http://api.acme-example.com/",
                    healthPaths: ["/health"],
                    origins: ["https://api.acme-example.com"],
                    limit: 2000,
                },
            );
            const staging = resolveTarget({ ...base, stack: "staging", url: "https://localhost:8443/", origins: [APP_ORIGIN] }, PROJECT_DIR);
            assert.deepEqual([staging.url.href, staging.httpUrl.href, staging.allowedOrigins], ["https://localhost:8443/", "http://localhost/", [APP_ORIGIN]]);
        });

        /** A copy of the project's Pulumi.yaml with a production stack file changed by `edit`. */
        const projectWith = (edit: (text: string) => string) => {
            const project = fs.mkdtempSync(path.join(dir, "project-"));
            fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
            fs.writeFileSync(path.join(project, "Pulumi.production.yaml"), edit(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8")));
            return project;
        };

        it("takes a service's own CORS_ORIGINS, as the program passes it to the service", () => {
            const project = projectWith((text) =>
                text.replace(
                    'TEMPLATE_CACHE_TTL: "3600"',
                    'TEMPLATE_CACHE_TTL: "3600"\n        CORS_ORIGINS: "https://app.acme-example.com, https://admin.acme-example.com"',
                ),
            );
            const target = resolveTarget({ ...base, stack: "production" }, project);
            assert.deepEqual(target.allowedOrigins, ["https://app.acme-example.com", "https://admin.acme-example.com"]);
        });

        it("refuses a stack config the program would refuse, naming the key", () => {
            const project = projectWith((text) => text.replace("platform:domainName: api.acme-example.com", "platform:domainName: API_Example"));
            assert.throws(
                () => resolveTarget({ ...base, stack: "production" }, project),
                (err: Error) => err.name === "ConfigError" && /platform:domainName: got "API_Example"; expected a lower-case DNS name/.test(err.message),
            );
        });
    });

    describe("command line", function () {
        this.timeout(120000);

        it("probes the test site as the acceptance command does and writes the report", async () => {
            const target = await site();
            const out = path.join(dir, "verify.json");
            const { code, stdout, stderr } = await cli(
                "--url",
                target.url,
                "--ca",
                caFile,
                "--http-url",
                target.httpUrl,
                "--origin",
                APP_ORIGIN,
                "--format",
                "json",
                "--out",
                out,
            );
            assert.equal(stderr, "");
            assert.equal(stdout, `13 checks: 11 passed, 0 failed, 2 skipped; 12 requests (at most 12 planned); report written to ${out}\n`);
            assert.equal(code, 0);
            assert.equal(readVerify(out, JSON.parse(fs.readFileSync(out, "utf8"))).facts.passed, 11);
        });

        it("exits 1 when a check fails, printing the text report", async () => {
            const target = await site({ stickyCookie: true });
            const { code, stdout } = await cli("--url", target.url, "--ca", caFile, "--http-url", target.httpUrl, "--origin", APP_ORIGIN);
            assert.match(stdout, /^ {2}FAIL no-sticky-sessions {2}AWSALB, AWSALBCORS set/m);
            assert.equal(code, 1);
        });

        it("exits 2 with one line for bad usage and for an unreachable host", async () => {
            const usage = await cli("--url", "http://api.example.com", "--format", "xml");
            assert.deepEqual(
                [usage.code, usage.stderr],
                [
                    2,
                    'verify: --url: got "http://api.example.com"; expected an https:// address like https://api.example.com (a path is allowed, no query or credentials)\n',
                ],
            );
            const port = await freePort();
            const unreachable = await cli("--url", `https://localhost:${port}`, "--timeout", "2");
            assert.deepEqual(
                [unreachable.code, unreachable.stderr, unreachable.stdout],
                [2, `verify: cannot reach localhost:${port}: connection refused\n`, ""],
            );
        });
    });
});

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
    const server = net.createServer();
    await listen(server);
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/** Runs `npm run verify -- <args>` without blocking this process, whose servers it probes. */
function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        // As `npm run verify` starts it.
        const child = spawn(process.execPath, ["-r", "./preflight/register.js", path.join("verify", "cli.ts"), ...args], { cwd: PROJECT_DIR });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}
