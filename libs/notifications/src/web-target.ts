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

// Checked in this order, after an embedded IPv4 address has been taken out of the forms that
// carry one (see embeddedIpv4). A BlockList's IPv4 rules also match the IPv4-mapped IPv6 form.
// 'special' and 'documentation' follow IANA's special-purpose address registries: every entry is
// refused, even those the registry marks globally reachable (AS112, AMT, 6to4 relays, ORCHIDv2),
// since no webhook receiver lives there. fec0::/10 is the deprecated site-local range.
const NON_PUBLIC: [kind: string, list: BlockList][] = [
  ['unspecified', blockList([['0.0.0.0', 8], ['::', 128]])],
  ['loopback', blockList([['127.0.0.0', 8], ['::1', 128]])],
  ['private', blockList([['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['fc00::', 7], ['fec0::', 10]])],
  ['link-local', blockList([['169.254.0.0', 16], ['fe80::', 10]])],
  ['multicast', blockList([['224.0.0.0', 4], ['ff00::', 8]])],
  ['documentation', blockList([['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], ['2001:db8::', 32], ['3fff::', 20]])],
  [
    'special',
    blockList([
      ['192.0.0.0', 24], // IETF protocol assignments (DS-Lite, NAT64 discovery…)
      ['192.31.196.0', 24], // AS112
      ['192.52.193.0', 24], // AMT
      ['192.88.99.0', 24], // 6to4 relay anycast
      ['192.175.48.0', 24], // AS112 direct delegation
      ['198.18.0.0', 15], // benchmarking
      ['64:ff9b:1::', 48], // local-use NAT64: translated by a local gateway to anything
      ['100::', 64], // discard-only
      ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID, AMT, AS112…
      ['2620:4f:8000::', 48], // AS112
      ['5f00::', 16], // SRv6 SIDs
    ]),
  ],
  // 240/4 holds the broadcast address; ::/96 is the deprecated IPv4-compatible form (::127.0.0.1).
  ['reserved', blockList([['240.0.0.0', 4], ['::', 96]])],
];

/** The 16 bytes of an IPv6 address (any spelling isIP accepts), or null. */
function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return null;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

const startsWith = (bytes: number[], prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
const ZERO_80 = Array<number>(10).fill(0);

/**
 * The IPv4 address an IPv6 address stands for, when its form embeds one: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64 well-known prefix
 * (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::). A connection to them reaches that IPv4
 * address, so it is checked in its place.
 */
export function embeddedIpv4(address: string): string | null {
  const bytes = ipv6Bytes(address);
  if (!bytes) return null;
  const v4 = (at: number) => bytes.slice(at, at + 4).join('.');
  if (startsWith(bytes, [...ZERO_80, 0xff, 0xff])) return v4(12);
  if (startsWith(bytes, [...Array<number>(8).fill(0), 0xff, 0xff, 0, 0])) return v4(12);
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, ...ZERO_80.slice(0, 8)])) return v4(12);
  if (startsWith(bytes, [0x20, 0x02])) return v4(2);
  return null;
}

/** The kind of a non-public address ('loopback', 'private', 'documentation', …), or null for a public one. */
export function nonPublicKind(address: string): string | null {
  const inner = embeddedIpv4(address);
  const checked = inner ?? address;
  const family = isIP(checked) === 6 ? 'ipv6' : 'ipv4';
  for (const [kind, list] of NON_PUBLIC) if (list.check(checked, family)) return kind;
  return null;
}

/**
 * Refuses an outbound URL (referent webhook, webhook endpoint) that is not `https:`, carries
 * credentials, or whose host — a literal IP or every address its name resolves to — is
 * not public (loopback, private, link-local, documentation, any IANA special-purpose range,
 * an IPv6 form embedding such an IPv4 address). The reason never says what a name resolved to
 * (that would let a caller map internal names). `allowPrivate`
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
    if (kind) throw new WebTargetError('NON_PUBLIC_ADDRESS', notPublic(host));
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
    throw new WebTargetError('UNRESOLVABLE_HOST', notPublic(host));
  }
}

/** One message for a name that does not resolve and one that resolves to a non-public address. */
function notPublic(host: string): string {
  return `host ${host} does not resolve to a public address`;
}
