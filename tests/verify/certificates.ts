import { generateKeyPairSync, randomBytes } from "crypto";
import * as forge from "node-forge";

/** A private key and its certificate, PEM. */
export interface KeyAndCertificate {
    key: string;
    cert: string;
}

/** A local CA and the leaves the tests serve: valid, expired, for another host, expiring in 10 days, and one nobody signed. */
export interface TestCertificates {
    ca: string;
    valid: KeyAndCertificate;
    expired: KeyAndCertificate;
    wrongHost: KeyAndCertificate;
    expiringSoon: KeyAndCertificate;
    selfSigned: KeyAndCertificate;
}

const DAY_MS = 24 * 3600 * 1000;

/** Node makes the RSA keys (fast, native); node-forge signs the certificates, which node:crypto cannot. */
function rsaKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    return {
        pem,
        forgeKey: forge.pki.privateKeyFromPem(pem),
        forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
    };
}

interface CertificateSpec {
    subject: string;
    publicKey: forge.pki.rsa.PublicKey;
    issuer?: forge.pki.Certificate;
    signingKey: forge.pki.rsa.PrivateKey;
    fromDays: number;
    toDays: number;
    hosts?: string[];
}

function certificate(spec: CertificateSpec): forge.pki.Certificate {
    const cert = forge.pki.createCertificate();
    cert.publicKey = spec.publicKey;
    // A positive serial: the high bit clear.
    cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
    const now = Date.now();
    cert.validity.notBefore = new Date(now + spec.fromDays * DAY_MS);
    cert.validity.notAfter = new Date(now + spec.toDays * DAY_MS);
    cert.setSubject([{ name: "commonName", value: spec.subject }]);
    cert.setIssuer(spec.issuer ? spec.issuer.subject.attributes : [{ name: "commonName", value: spec.subject }]);
    cert.setExtensions(
        spec.hosts
            ? [
                  { name: "basicConstraints", cA: false },
                  { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
                  { name: "extKeyUsage", serverAuth: true },
                  { name: "subjectAltName", altNames: spec.hosts.map((host) => (/^[\d.]+$/.test(host) ? { type: 7, ip: host } : { type: 2, value: host })) },
              ]
            : [
                  { name: "basicConstraints", cA: true, critical: true },
                  { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
                  { name: "subjectKeyIdentifier" },
              ],
    );
    cert.sign(spec.signingKey, forge.md.sha256.create());
    return cert;
}

export function makeCertificates(): TestCertificates {
    const caKey = rsaKey();
    const ca = certificate({ subject: "platform-verify test CA", publicKey: caKey.forgePublic, signingKey: caKey.forgeKey, fromDays: -1, toDays: 365 });
    const leafKey = rsaKey();
    const leaf = (subject: string, fromDays: number, toDays: number, hosts: string[]): KeyAndCertificate => ({
        key: leafKey.pem,
        cert: forge.pki.certificateToPem(
            certificate({ subject, publicKey: leafKey.forgePublic, issuer: ca, signingKey: caKey.forgeKey, fromDays, toDays, hosts }),
        ),
    });
    const selfSigned = certificate({
        subject: "localhost",
        publicKey: leafKey.forgePublic,
        signingKey: leafKey.forgeKey,
        fromDays: -1,
        toDays: 200,
        hosts: ["localhost"],
    });
    return {
        ca: forge.pki.certificateToPem(ca),
        valid: leaf("localhost", -1, 200, ["localhost", "127.0.0.1"]),
        expired: leaf("localhost", -400, -10, ["localhost", "127.0.0.1"]),
        wrongHost: leaf("wrong-host.example", -1, 200, ["wrong-host.example"]),
        expiringSoon: leaf("localhost", -80, 10.5, ["localhost", "127.0.0.1"]),
        selfSigned: { key: leafKey.pem, cert: forge.pki.certificateToPem(selfSigned) },
    };
}
