import { checkServerIdentity, type PeerCertificate } from "node:tls";

/**
 * TLS options for either driver, with the server verified the way `sslmode=verify-full` does: the
 * chain must lead to a trusted CA (Node's, NODE_EXTRA_CA_CERTS, or `ca`) and the certificate must
 * name the host connected to, or `servername` when a tunnel or proxy stands in between (e.g.
 * 127.0.0.1 forwarded to an RDS endpoint). Drivers differ: mysql2 checks the chain only unless
 * told to check the name (verifyIdentity), so the check is stated here for both.
 */
export interface VerifiedTls {
  /** The driver's TLS options (ca, cert, key, ciphers, minVersion, ...), verification on. */
  readonly options: Record<string, unknown> & { readonly rejectUnauthorized: boolean };
  /** The name the server's certificate must carry. */
  readonly servername: string;
}

/**
 * `ssl` as ConnectionOptions.ssl takes it: undefined or false for no TLS, true for verified TLS
 * against the default CAs, or driver options. Only an explicit `rejectUnauthorized: false` turns
 * verification off.
 */
export function verifiedTls(ssl: boolean | Readonly<Record<string, unknown>> | undefined, host: string): VerifiedTls | undefined {
  if (ssl === undefined || ssl === false) return undefined;
  const given: Record<string, unknown> = ssl === true ? {} : { ...ssl };
  const servername = typeof given.servername === "string" && given.servername !== "" ? given.servername : host;
  const rejectUnauthorized = given.rejectUnauthorized !== false;
  return {
    servername,
    options: {
      ...given,
      rejectUnauthorized,
      // Node calls this with the name it derived (servername, else host); the name wanted is ours.
      checkServerIdentity: (_hostname: string, certificate: PeerCertificate) => checkServerIdentity(servername, certificate),
    },
  };
}
