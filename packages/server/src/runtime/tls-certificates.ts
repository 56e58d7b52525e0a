import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { ConfigError } from "../domain/errors.js";

/** How the server speaks TLS: not at all, with the operator's PEM files, or with a local CA. */
export type TlsSettings =
  | { readonly mode: "off" }
  | { readonly mode: "files"; readonly certFile: string; readonly keyFile: string }
  | {
      readonly mode: "self-signed";
      readonly hosts: readonly string[];
      /** Where the local CA lives (TOKENSPACE_TLS_DIR); beside the database when unset. */
      readonly directory: string | undefined;
    };

/** What the HTTPS server is started with. */
export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
  /** The local CA's certificate file, when Tokenspace made it: clients must trust this file. */
  readonly caFile: string | undefined;
}

/** Names every self-signed server certificate covers, before TOKENSPACE_TLS_HOSTS. */
const LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1"];

/**
 * The certificate and key the server listens with, checked before anything is served: a file
 * that is missing, unreadable, not PEM, expired or paired with the wrong key stops the start
 * with one line naming it.
 */
export async function loadTlsCredentials(
  settings: TlsSettings,
  defaultDirectory: string,
): Promise<TlsCredentials | undefined> {
  switch (settings.mode) {
    case "off":
      return undefined;
    case "files":
      return { ...readPemPair(settings.certFile, settings.keyFile), caFile: undefined };
    case "self-signed": {
      // The certificate library is loaded only here: it was a tenth of every command's start.
      const { localCertificates } = await import("./local-ca.js");
      return localCertificates(settings.directory ?? defaultDirectory, [
        ...LOCAL_HOSTS,
        ...settings.hosts,
      ]);
    }
  }
}

/** A host name or IP address that can go into a certificate; used to check TOKENSPACE_TLS_HOSTS. */
export function isCertificateHost(host: string): boolean {
  return (
    isIP(host) !== 0 ||
    /^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
      host,
    )
  );
}

function readPemPair(certFile: string, keyFile: string): { cert: string; key: string } {
  const cert = readPemFile(certFile, "TOKENSPACE_TLS_CERT", "certificate");
  const key = readPemFile(keyFile, "TOKENSPACE_TLS_KEY", "private key");
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`TOKENSPACE_TLS_CERT ${certFile} is not a PEM certificate.`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(
      `TOKENSPACE_TLS_KEY ${keyFile} is not an unencrypted PEM private key (an encrypted key needs its passphrase removed first).`,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      `TOKENSPACE_TLS_KEY ${keyFile} is not the private key of the certificate in ${certFile}.`,
    );
  }
  if (Date.parse(certificate.validTo) < Date.now()) {
    throw new ConfigError(
      `TOKENSPACE_TLS_CERT ${certFile} expired on ${certificate.validTo}; renew it.`,
    );
  }
  return { cert, key };
}

function readPemFile(file: string, setting: string, kind: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "does not exist"
        : code === "EACCES"
          ? "cannot be read (permission denied)"
          : code === "EISDIR"
            ? "is a directory"
            : `cannot be read (${code ?? "unknown error"})`;
    throw new ConfigError(`${setting} ${file} ${reason}.`);
  }
  if (!/-----BEGIN [A-Z ]+-----/.test(text)) {
    throw new ConfigError(`${setting} ${file} is not a PEM ${kind}.`);
  }
  return text;
}
