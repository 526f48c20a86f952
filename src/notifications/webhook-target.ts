import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * Where a webhook may not point: loopback, private, link-local, unique-local, shared (CGNAT),
 * multicast, documentation, benchmarking and other special-purpose ranges (IANA registries).
 * A delivery is an HTTP request made from inside our network; to any of these it would let an
 * org admin probe or call internal services and read the answer's status in the delivery log.
 */
// Two lists: a BlockList also matches IPv4 addresses against IPv6 rules (as mapped addresses).
const FORBIDDEN_V4 = new BlockList();
const FORBIDDEN_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN_V4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['::ffff:0:0', 96], // IPv4-mapped in a form mappedIpv4 does not read: refused rather than guessed
  ['64:ff9b::', 96], // NAT64 can reach any IPv4 address, private ones included
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4 embeds an IPv4 address
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN_V6.addSubnet(network, prefix, 'ipv6');
}

const MAPPED_IPV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const MAPPED_IPV4_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** The IPv4 address inside an IPv4-mapped IPv6 address, in either notation. */
function mappedIpv4(address: string): string | undefined {
  const dotted = MAPPED_IPV4.exec(address);
  if (dotted) return dotted[1];
  const hex = MAPPED_IPV4_HEX.exec(address);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Whether an IP address (v4 or v6, as a resolver or URL parser prints it) is outside the public internet. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return FORBIDDEN_V4.check(bare, 'ipv4');
  if (family !== 6) return true;
  // IPv4-mapped addresses reach the IPv4 address they carry: judged as that address.
  const ipv4 = mappedIpv4(bare);
  if (ipv4 !== undefined) return FORBIDDEN_V4.check(ipv4, 'ipv4');
  return FORBIDDEN_V6.check(bare, 'ipv6');
}

export class ForbiddenWebhookTarget extends Error {}

const REFUSED = 'points into a private or special-purpose network';

/**
 * The host of a webhook URL as the request will use it. The WHATWG parser (the same fetch and
 * `new URL` use) has already normalised odd IPv4 notations: `0x7f000001`, `2130706433` and
 * `0177.0.0.1` all arrive here as `127.0.0.1`.
 */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

const RESOLVE_TIMEOUT_MS = 3000;

/**
 * Registration check: refuses a URL whose host is, or now resolves to, a forbidden address,
 * `localhost` by name, or one with credentials in it. A name that does not resolve yet is
 * accepted: the delivery checks again at connect time, which is the check that counts.
 */
export async function webhookTargetProblem(raw: string, allowPrivateNetworks: boolean): Promise<string | undefined> {
  const url = new URL(raw);
  if (url.username || url.password) return 'must not contain a user name or password';
  if (allowPrivateNetworks) return undefined;
  const host = hostOf(url);
  if (isIP(host) !== 0) return isForbiddenAddress(host) ? REFUSED : undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) return REFUSED;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await Promise.race([
      lookup(host, { all: true }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), RESOLVE_TIMEOUT_MS).unref()),
    ]);
  } catch {
    return undefined;
  }
  return addresses.some((entry) => isForbiddenAddress(entry.address)) ? REFUSED : undefined;
}

/**
 * Resolves like the system resolver, then refuses the connection if any address is forbidden
 * (a name answering with one public and one private address is refused whole), and connects
 * to the address it checked: the request cannot be re-pointed between check and connect.
 */
const pinnedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { all: true, family: typeof options.family === 'number' ? options.family : 0 }).then(
    (addresses) => {
      const forbidden = addresses.find((entry) => isForbiddenAddress(entry.address));
      const first = addresses[0];
      if (forbidden || !first) {
        callback(new ForbiddenWebhookTarget(`refused: ${hostname} ${forbidden ? REFUSED : 'did not resolve'}`), '', 4);
        return;
      }
      if (options.all) callback(null, [{ address: first.address, family: first.family }]);
      else callback(null, first.address, first.family);
    },
    (error: Error) => callback(error as NodeJS.ErrnoException, '', 4),
  );
};

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

/**
 * One POST to a webhook, answering its status code. Redirects are not followed (a 3xx is just
 * a status, so a failure): following one would send signed events somewhere nobody registered.
 */
export function postToWebhook(post: WebhookPost): Promise<number> {
  const url = new URL(post.url);
  const host = hostOf(url);
  if (!post.allowPrivateNetworks && isIP(host) !== 0 && isForbiddenAddress(host)) {
    return Promise.reject(new ForbiddenWebhookTarget(`refused: ${host} ${REFUSED}`));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
        signal: AbortSignal.timeout(post.timeoutMs),
        ...(post.allowPrivateNetworks ? {} : { lookup: pinnedLookup }),
      },
      (response: IncomingMessage) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(post.body);
  });
}
