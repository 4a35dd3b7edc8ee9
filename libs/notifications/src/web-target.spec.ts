import { checkWebTarget, WebTargetError } from './web-target';

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
];

describe('checkWebTarget', () => {
  describe('accepts public https targets', () => {
    it.each(['https://203.0.113.10/hooks/vigie', 'https://[2001:db8::10]:8443/hooks', 'https://172.15.255.255/', 'https://172.32.0.1/', 'https://100.63.255.255/', 'https://100.128.0.1/', 'https://192.169.0.1/', 'https://[::ffff:203.0.113.10]/'])(
      '%s',
      async (url) => {
        // The checked address is returned, for the connection to use it without resolving again.
        const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
        await expect(checkWebTarget(url, strict)).resolves.toEqual([{ address: host, family: host.includes(':') ? 6 : 4 }]);
      },
    );
  });

  it.each(['not a url', '', '/relative/path', 'https://'])('refuses %p as not a valid URL', async (url) => {
    expect((await refusal(url)).code).toBe('INVALID_URL');
  });

  it('refuses http:// unless private targets are allowed', async () => {
    const error = await refusal('http://203.0.113.10/hook');
    expect(error.code).toBe('SCHEME_NOT_ALLOWED');
    expect(error.message).toBe('scheme http: is not allowed (https: only)');
    await expect(checkWebTarget('http://203.0.113.10/hook', lenient)).resolves.toBeNull();
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
    const error = await refusal(`https://${host}/hook`);
    expect(error.code).toBe('NON_PUBLIC_ADDRESS');
    expect(error.message).toMatch(new RegExp(`resolves to a non-public address: \\S+ \\(${kind}\\)$`));
  });

  it.each(NON_PUBLIC)('lets a %s address pass when private targets are allowed: %s', async (_kind, host) => {
    await expect(checkWebTarget(`https://${host}/hook`, lenient)).resolves.toBeNull();
    await expect(checkWebTarget(`http://${host}:8080/hook`, lenient)).resolves.toBeNull();
  });

  it.each(['https://2130706433/', 'https://0x7f.1/', 'https://127.1/', 'https://017700000001/'])(
    'sees through the other spellings of 127.0.0.1: %s',
    async (url) => {
      const error = await refusal(url);
      expect(error.message).toBe('host 127.0.0.1 resolves to a non-public address: 127.0.0.1 (loopback)');
    },
  );

  it('resolves host names and refuses localhost', async () => {
    const error = await refusal('https://localhost:3000/hook');
    expect(error.code).toBe('NON_PUBLIC_ADDRESS');
    expect(error.message).toMatch(/^host localhost resolves to a non-public address: (127\.0\.0\.1|::1) \(loopback\)$/);
  });

  it('refuses a host name that does not resolve', async () => {
    const error = await refusal('https://vigie-test.invalid/hook');
    expect(error.code).toBe('UNRESOLVABLE_HOST');
    expect(error.message).toBe('host vigie-test.invalid does not resolve');
  });

  it('never repeats the path or query of the URL in its reason', async () => {
    const error = await refusal('https://10.1.2.3/hooks?token=topsecret');
    expect(error.message).toBe('host 10.1.2.3 resolves to a non-public address: 10.1.2.3 (private)');
  });
});
