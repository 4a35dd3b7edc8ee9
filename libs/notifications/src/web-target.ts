import { LookupAddress, promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type WebTargetErrorCode =
  | 'INVALID_URL'
  | 'SCHEME_NOT_ALLOWED'
  | 'CREDENTIALS_IN_URL'
  | 'UNRESOLVABLE_HOST'
  | 'NON_PUBLIC_ADDRESS';

/** An outbound URL Vigie refuses to call; the message says why, never the full URL. */
export class WebTargetError extends Error {
  constructor(
    readonly code: WebTargetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebTargetError';
  }
}

function blockList(subnets: [address: string, prefix: number][]): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of subnets) list.addSubnet(address, prefix, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return list;
}

// Checked in this order. A BlockList's IPv4 rules also match the IPv4-mapped IPv6 form
// (::ffff:127.0.0.1, ::ffff:7f00:1), so mapped addresses fall in the same kinds. fec0::/10 is the
// deprecated site-local range, private in practice.
const NON_PUBLIC: [kind: string, list: BlockList][] = [
  ['unspecified', blockList([['0.0.0.0', 8], ['::', 128]])],
  ['loopback', blockList([['127.0.0.0', 8], ['::1', 128]])],
  ['private', blockList([['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['fc00::', 7], ['fec0::', 10]])],
  ['link-local', blockList([['169.254.0.0', 16], ['fe80::', 10]])],
  ['multicast', blockList([['224.0.0.0', 4], ['ff00::', 8]])],
  // 240/4 holds the broadcast address; ::/96 is the deprecated IPv4-compatible form (::127.0.0.1).
  ['reserved', blockList([['240.0.0.0', 4], ['::', 96]])],
];

/** The kind of a non-public address ('loopback', 'private', …), or null for a public one. */
export function nonPublicKind(address: string): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  for (const [kind, list] of NON_PUBLIC) if (list.check(address, family)) return kind;
  return null;
}

/**
 * Refuses an outbound URL (referent webhook, webhook endpoint) that is not `https:`, carries
 * credentials, or whose host — a literal IP or every address its name resolves to — is
 * unspecified, loopback, private, link-local, multicast or reserved. `allowPrivate`
 * (VIGIE_ALLOW_PRIVATE_WEBHOOK_TARGETS, development and tests) lets `http:` and every address pass.
 * Call it again right before each send: a name may resolve elsewhere than when it was saved.
 * Returns the addresses it checked, for the connection to use them and not resolve the name
 * again (`postJson`'s `pinned`); null when `allowPrivate` skips the check.
 * @throws WebTargetError
 */
export async function checkWebTarget(url: string, options: { allowPrivate: boolean }): Promise<readonly LookupAddress[] | null> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new WebTargetError('INVALID_URL', 'not a valid absolute URL');
  }
  const allowed = options.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(target.protocol)) {
    throw new WebTargetError('SCHEME_NOT_ALLOWED', `scheme ${target.protocol} is not allowed (${allowed.join(' or ')} only)`);
  }
  if (target.username || target.password) {
    throw new WebTargetError('CREDENTIALS_IN_URL', 'URL must not carry credentials');
  }
  if (options.allowPrivate) return null;

  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = await resolve(host);
  for (const { address } of addresses) {
    const kind = nonPublicKind(address);
    if (kind) throw new WebTargetError('NON_PUBLIC_ADDRESS', `host ${host} resolves to a non-public address: ${address} (${kind})`);
  }
  return addresses;
}

async function resolve(host: string): Promise<LookupAddress[]> {
  if (isIP(host)) return [{ address: host, family: isIP(host) }];
  try {
    const found = await dns.lookup(host, { all: true });
    if (found.length === 0) throw new Error('no address');
    return found;
  } catch {
    throw new WebTargetError('UNRESOLVABLE_HOST', `host ${host} does not resolve`);
  }
}
