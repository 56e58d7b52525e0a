import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import forge from "node-forge";
import type { TlsCredentials } from "./tls-certificates.js";

const CA_FILE = "tokenspace-ca.pem";
const CA_KEY_FILE = "tokenspace-ca-key.pem";
const SERVER_FILE = "tokenspace-server.pem";
const SERVER_KEY_FILE = "tokenspace-server-key.pem";
const CA_LIFETIME_DAYS = 3650;
/** The longest lifetime Apple's and Chromium's trust stores accept for a server certificate. */
const SERVER_LIFETIME_DAYS = 825;
/** A server certificate this close to expiring is replaced at start. */
const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * A local CA, created once and kept, and a server certificate it signed for the given hosts,
 * renewed when it no longer covers them or is about to expire. Private keys are mode 0600.
 */
export function localCertificates(directory: string, hosts: readonly string[]): TlsCredentials {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const caFile = join(directory, CA_FILE);
  const ca = loadOrCreateCa(caFile, join(directory, CA_KEY_FILE));
  const serverFile = join(directory, SERVER_FILE);
  const serverKeyFile = join(directory, SERVER_KEY_FILE);
  const existing = readIfPresent(serverFile, serverKeyFile);
  if (existing && serves(existing.cert, ca.certificate, hosts)) {
    return { ...existing, caFile };
  }
  const server = issueServerCertificate(ca, hosts);
  writeFileSync(serverKeyFile, server.key, { mode: 0o600 });
  writeFileSync(serverFile, server.cert);
  return { ...server, caFile };
}

interface LocalCa {
  readonly certificate: X509Certificate;
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

function loadOrCreateCa(certFile: string, keyFile: string): LocalCa {
  const existing = readIfPresent(certFile, keyFile);
  if (existing) {
    return {
      certificate: new X509Certificate(existing.cert),
      cert: forge.pki.certificateFromPem(existing.cert),
      key: forge.pki.privateKeyFromPem(existing.key),
    };
  }
  const pair = rsaKeyPair();
  const subject = [
    { name: "commonName", value: "Tokenspace local CA" },
    { name: "organizationName", value: "Tokenspace" },
  ];
  const cert = certificate(pair.publicKey, CA_LIFETIME_DAYS, subject, subject, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(pair.privateKey, forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  writeFileSync(keyFile, pair.pem, { mode: 0o600 });
  writeFileSync(certFile, pem);
  return { certificate: new X509Certificate(pem), cert, key: pair.privateKey };
}

function issueServerCertificate(ca: LocalCa, hosts: readonly string[]) {
  const pair = rsaKeyPair();
  const altNames = hosts.map((host) =>
    isIP(host) !== 0 ? { type: 7, ip: host } : { type: 2, value: host },
  );
  const cert = certificate(
    pair.publicKey,
    SERVER_LIFETIME_DAYS,
    [{ name: "commonName", value: hosts[0] ?? "localhost" }],
    ca.cert.subject.attributes,
    [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
      { name: "subjectKeyIdentifier" },
      {
        name: "authorityKeyIdentifier",
        keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes(),
      },
    ],
  );
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: pair.pem };
}

function certificate(
  publicKey: forge.pki.PublicKey,
  lifetimeDays: number,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial of 16 random bytes, as RFC 5280 asks (at most 20 octets, unpredictable).
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + lifetimeDays * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  return cert;
}

/** RSA keys come from Node's native generator: node-forge's own takes seconds. */
function rsaKeyPair() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return {
    pem,
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
  };
}

/** Whether a stored server certificate was issued by this CA, covers every host, and is fresh. */
function serves(cert: string, ca: X509Certificate, hosts: readonly string[]): boolean {
  const server = new X509Certificate(cert);
  const fresh = Date.parse(server.validTo) - Date.now() > RENEW_BEFORE_DAYS * DAY_MS;
  const covers = hosts.every((host) =>
    isIP(host) !== 0 ? server.checkIP(host) !== undefined : server.checkHost(host) !== undefined,
  );
  return fresh && covers && server.checkIssued(ca) && server.verify(ca.publicKey);
}

function readIfPresent(
  certFile: string,
  keyFile: string,
): { cert: string; key: string } | undefined {
  try {
    return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
