import type { IncomingMessage } from "node:http";
import proxyAddr from "@fastify/proxy-addr";

/** Fastify's trustProxy as configured: whether, or for which proxies, X-Forwarded-For names the client. */
type TrustProxy = boolean | number | string[];

/** Whether the proxy at `address`, `hop` hops from this server, may name the client. */
type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * The configured trust as one function, given to Fastify as its trustProxy and used to name a
 * raw request's client, so that both name the same client. Undefined: no proxy is trusted.
 */
export function proxyTrust(trust: TrustProxy): ProxyTrust | undefined {
  if (trust === false || trust === 0) return undefined;
  if (trust === true) return () => true;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

/** The client of a raw request, as Fastify's `request.ip` names it under the same trust. */
export function clientAddressOf(
  request: IncomingMessage,
  trust: ProxyTrust | undefined,
): string | undefined {
  return trust ? proxyAddr(request, trust) : request.socket.remoteAddress;
}
