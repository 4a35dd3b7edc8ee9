import { checkWebTarget, nonPublicKind, WebTargetError } from './web-target';

const strict = { allowPrivate: false };
const lenient = { allowPrivate: true };

async function refusal(url: string, options = strict): Promise<WebTargetError> {
  const error = await checkWebTarget(url, options).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof WebTargetError)) throw new Error(`expected ${url} to be refused with a WebTargetError, got ${String(error)}`);
  return error;
}

// [kind, URL host] — every non-public range, in both families, at its edges.
const NON_PUBLIC: [string, string][] = [
  ['unspecified', '0.0.0.0'],
  ['unspecified', '[::]'],
  ['loopback', '127.0.0.1'],
  ['loopback', '127.255.255.254'],
  ['loopback', '[::1]'],
  ['private', '10.0.0.1'],
  ['private', '10.255.255.255'],
  ['private', '172.16.0.1'],
  ['private', '172.31.255.255'],
  ['private', '192.168.0.1'],
  ['private', '192.168.255.255'],
  ['private', '100.64.0.1'],
  ['private', '100.127.255.255'],
  ['private', '[fc00::1]'],
  ['private', '[fd12:3456:789a::1]'],
  ['link-local', '169.254.169.254'],
  ['link-local', '169.254.0.1'],
  ['link-local', '[fe80::1]'],
  ['link-local', '[febf::1]'],
  ['multicast', '224.0.0.1'],
  ['multicast', '239.255.255.255'],
  ['multicast', '[ff02::1]'],
  ['reserved', '255.255.255.255'],
  // IPv4-mapped IPv6, dotted and hexadecimal forms.
  ['loopback', '[::ffff:127.0.0.1]'],
  ['loopback', '[::ffff:7f00:1]'],
  ['private', '[::ffff:10.0.0.1]'],
  ['private', '[::ffff:ac10:1]'],
  ['private', '[::ffff:192.168.1.1]'],
  ['private', '[::ffff:100.64.0.1]'],
  ['link-local', '[::ffff:169.254.169.254]'],
  ['unspecified', '[::ffff:0.0.0.0]'],
  ['multicast', '[::ffff:224.0.0.1]'],
  // IANA special-purpose IPv4 ranges.
  ['special', '192.0.0.1'],
  ['special', '192.0.0.255'],
  ['special', '198.18.0.1'],
  ['special', '198.19.255.255'],
  ['special', '192.88.99.1'],
  ['special', '192.31.196.1'],
  ['special', '192.52.193.1'],
  ['special', '192.175.48.1'],
  ['documentation', '192.0.2.1'],
  ['documentation', '198.51.100.1'],
  ['documentation', '203.0.113.10'],
  ['documentation', '[2001:db8::10]'],
  ['documentation', '[3fff::1]'],
  // IANA special-purpose IPv6 ranges.
  ['special', '[100::1]'],
  ['special', '[2001::1]'],
  ['special', '[2001:2::1]'],
  ['special', '[2001:1ff:ffff::1]'],
  ['special', '[64:ff9b:1::a9fe:a9fe]'],
  ['special', '[64:ff9b:1::808:808]'],
  ['special', '[5f00::1]'],
  ['special', '[2620:4f:8000::1]'],
  // Forms that embed an IPv4 address: the embedded address is checked.
  ['link-local', '[64:ff9b::a9fe:a9fe]'],
  ['link-local', '[64:ff9b::169.254.169.254]'],
  ['loopback', '[64:ff9b::7f00:1]'],
  ['link-local', '[2002:a9fe:a9fe::]'],
  ['private', '[2002:a00:1::1]'],
  ['loopback', '[2002:7f00:1:ffff::1]'],
  ['link-local', '[::ffff:0:a9fe:a9fe]'],
  ['private', '[::ffff:0:10.0.0.1]'],
  ['documentation', '[::ffff:203.0.113.10]'],
  ['documentation', '[64:ff9b::c633:6401]'],
];

// Public addresses in their plain and embedding forms (8.8.8.8, 1.1.1.1, 9.9.9.9, 2606:4700::1111).
const PUBLIC = [
  'https://8.8.8.8/hooks/vigie',
  'https://[2606:4700:4700::1111]:8443/hooks',
  'https://172.15.255.255/',
  'https://172.32.0.1/',
  'https://100.63.255.255/',
  'https://100.128.0.1/',
  'https://192.169.0.1/',
  'https://198.17.255.255/',
  'https://198.20.0.1/',
  'https://192.0.1.255/',
  'https://192.0.3.1/',
  'https://[::ffff:8.8.8.8]/',
  'https://[64:ff9b::808:808]/',
  'https://[2002:101:101::1]/',
  'https://[2001:200::1]/',
  'https://[2001:4860:4860::8888]/',
];

/** The one refusal message of a non-public or unresolvable host: it never says what the name resolved to. */
const refusedHost = (host: string) => `host ${host} does not resolve to a public address`;

describe('checkWebTarget', () => {
  describe('accepts public https targets', () => {
    it.each(PUBLIC)(
      '%s',
      async (url) => {
        // The checked address is returned, for the connection to use it without resolving again.
        const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
        expect(nonPublicKind(host)).toBeNull();
        await expect(checkWebTarget(url, strict)).resolves.toEqual([{ address: host, family: host.includes(':') ? 6 : 4 }]);
      },
    );
  });

  it.each(['not a url', '', '/relative/path', 'https://'])('refuses %p as not a valid URL', async (url) => {
    expect((await refusal(url)).code).toBe('INVALID_URL');
  });

  it('refuses http:// unless private targets are allowed', async () => {
    const error = await refusal('http://8.8.8.8/hook');
    expect(error.code).toBe('SCHEME_NOT_ALLOWED');
    expect(error.message).toBe('scheme http: is not allowed (https: only)');
    await expect(checkWebTarget('http://8.8.8.8/hook', lenient)).resolves.toBeNull();
  });

  it.each(['ftp://203.0.113.10/x', 'file:///etc/hostname', 'javascript:alert(1)', 'ws://203.0.113.10/'])('refuses the scheme of %s even when private targets are allowed', async (url) => {
    expect((await refusal(url, lenient)).code).toBe('SCHEME_NOT_ALLOWED');
  });

  it.each(['https://user:secret@203.0.113.10/', 'https://user@203.0.113.10/', 'https://:secret@203.0.113.10/'])('refuses credentials in %s, private targets allowed or not', async (url) => {
    for (const options of [strict, lenient]) {
      const error = await refusal(url, options);
      expect(error.code).toBe('CREDENTIALS_IN_URL');
      expect(error.message).not.toContain('secret');
    }
  });

  it.each(NON_PUBLIC)('refuses a %s address: %s', async (kind, host) => {
    const literal = new URL(`https://${host}/`).hostname.replace(/^\[(.*)\]$/, '$1');
    expect(nonPublicKind(literal)).toBe(kind);
    const error = await refusal(`https://${host}/hook`);
    expect(error.code).toBe('NON_PUBLIC_ADDRESS');
    expect(error.message).toBe(refusedHost(literal));
  });

  it.each(NON_PUBLIC)('lets a %s address pass when private targets are allowed: %s', async (_kind, host) => {
    await expect(checkWebTarget(`https://${host}/hook`, lenient)).resolves.toBeNull();
    await expect(checkWebTarget(`http://${host}:8080/hook`, lenient)).resolves.toBeNull();
  });

  it.each(['https://2130706433/', 'https://0x7f.1/', 'https://127.1/', 'https://017700000001/'])(
    'sees through the other spellings of 127.0.0.1: %s',
    async (url) => {
      const error = await refusal(url);
      expect(error.message).toBe(refusedHost('127.0.0.1'));
    },
  );

  it('resolves host names and refuses localhost, without saying what it resolved to', async () => {
    const error = await refusal('https://localhost:3000/hook');
    expect(error.code).toBe('NON_PUBLIC_ADDRESS');
    expect(error.message).toBe(refusedHost('localhost'));
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1|loopback/);
  });

  it('refuses a host name that does not resolve with the same message as a non-public one', async () => {
    const error = await refusal('https://vigie-test.invalid/hook');
    expect(error.code).toBe('UNRESOLVABLE_HOST');
    expect(error.message).toBe(refusedHost('vigie-test.invalid'));
  });

  it('never repeats the path or query of the URL in its reason', async () => {
    const error = await refusal('https://10.1.2.3/hooks?token=topsecret');
    expect(error.message).toBe(refusedHost('10.1.2.3'));
  });
});
