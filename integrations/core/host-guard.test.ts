import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntegrationError } from './action.js';
import { assertRedirectAllowed, assertUrlAllowed, classifyAddress, hostGuardSettingsFrom, isHostAllowed, type HostResolver } from './host-guard.js';

const fakeDns =
  (table: Record<string, string[]>): HostResolver =>
  async (host) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };

async function refused(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof IntegrationError && err.code === code && !err.retryable);
}

describe('classifyAddress', () => {
  const table: Array<[string, string]> = [
    ['8.8.8.8', 'public'],
    ['203.0.113.7', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2606:4700:4700::1111', 'public'],
    // Forms that embed an IPv4 address are classed by it.
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:0a00:0001::', 'private'],
    ['2002:0808:0808::', 'public'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::ffff:0:a00:1', 'private'],
    ['64:ff9b:1::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::c0a8:101', 'private'],
    ['[::1]', 'loopback'],
    ['not-an-ip', 'invalid'],
  ];
  for (const [ip, cls] of table) {
    test(`${ip} is ${cls}`, () => assert.equal(classifyAddress(ip), cls));
  }
});

describe('allowed hosts', () => {
  test('exact and wildcard matches, case-insensitive', () => {
    const allowed = ['api.example.com', '*.hooks.example.org'];
    assert.equal(isHostAllowed('API.example.com', allowed), true);
    assert.equal(isHostAllowed('a.hooks.example.org', allowed), true);
    assert.equal(isHostAllowed('hooks.example.org', allowed), false);
    assert.equal(isHostAllowed('api.example.com.evil.test', allowed), false);
    assert.equal(isHostAllowed('example.com', allowed), false);
  });
  test('settings: list or comma string; anything else allows nothing', () => {
    assert.deepEqual(hostGuardSettingsFrom({ allowedHosts: ['A.example.com'], allowPrivateNetworks: true }), { allowedHosts: ['a.example.com'], allowPrivateNetworks: true });
    assert.deepEqual(hostGuardSettingsFrom({ allowedHosts: 'a.test, b.test' }), { allowedHosts: ['a.test', 'b.test'], allowPrivateNetworks: false });
    assert.deepEqual(hostGuardSettingsFrom({ allowPrivateNetworks: 'yes' }), { allowedHosts: [], allowPrivateNetworks: false });
  });
});

describe('assertUrlAllowed', () => {
  const dns = fakeDns({
    'api.example.com': ['93.184.216.34'],
    'rebind.example.com': ['93.184.216.34', '10.0.0.5'],
    'metadata.example.com': ['169.254.169.254'],
    localhost: ['127.0.0.1', '::1'],
  });

  test('a public address of an allowed host passes', async () => {
    const { url, addresses } = await assertUrlAllowed('https://api.example.com/v1', { allowedHosts: ['api.example.com'], allowPrivateNetworks: false }, dns);
    assert.equal(url.hostname, 'api.example.com');
    assert.deepEqual(addresses, ['93.184.216.34']);
  });
  test('a host not in allowedHosts is refused before any lookup', async () => {
    await refused(assertUrlAllowed('https://other.example.com/', { allowedHosts: ['api.example.com'], allowPrivateNetworks: false }, dns), 'host_not_allowed');
  });
  test('loopback and metadata addresses are refused without allowPrivateNetworks', async () => {
    const settings = { allowedHosts: ['127.0.0.1', '169.254.169.254', 'localhost', 'metadata.example.com', '[::1]'], allowPrivateNetworks: false };
    await refused(assertUrlAllowed('http://127.0.0.1:8080/', settings, dns), 'address_not_allowed');
    await refused(assertUrlAllowed('http://169.254.169.254/latest/meta-data/', settings, dns), 'address_not_allowed');
    await refused(assertUrlAllowed('http://localhost/', settings, dns), 'address_not_allowed');
    await refused(assertUrlAllowed('http://metadata.example.com/', settings, dns), 'address_not_allowed');
    await refused(assertUrlAllowed('http://[::1]/', settings, dns), 'address_not_allowed');
  });
  test('every numeric spelling of an address is normalised before the check', async () => {
    const settings = { allowedHosts: ['127.0.0.1', '169.254.169.254', '10.0.0.1'], allowPrivateNetworks: false };
    for (const url of [
      'http://2130706433/',
      'http://0x7f000001/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://0x7f.1/',
      'http://2852039166/',
      'http://0xa9.0376.43518/',
      'http://10.1/',
    ]) {
      await refused(assertUrlAllowed(url, settings, dns), 'address_not_allowed');
    }
  });
  test('allowedPorts: only the listed ports of an allowed host may be called', async () => {
    const settings = { allowedHosts: ['api.example.com'], allowPrivateNetworks: false, allowedPorts: [8443] };
    assert.equal((await assertUrlAllowed('https://api.example.com:8443/x', settings, dns)).url.port, '8443');
    await refused(assertUrlAllowed('https://api.example.com/x', settings, dns), 'host_not_allowed');
    await refused(assertUrlAllowed('http://api.example.com:7233/x', settings, dns), 'host_not_allowed');
    assert.deepEqual(hostGuardSettingsFrom({ allowedHosts: ['a'], allowedPorts: [80, 'x', 0, 70000] }).allowedPorts, [80]);
    assert.equal(hostGuardSettingsFrom({ allowedHosts: ['a'] }).allowedPorts, undefined);
  });
  test('one private address among public ones is enough to refuse', async () => {
    await refused(assertUrlAllowed('https://rebind.example.com/', { allowedHosts: ['rebind.example.com'], allowPrivateNetworks: false }, dns), 'address_not_allowed');
  });
  test('allowPrivateNetworks opens private ranges but never multicast', async () => {
    const settings = { allowedHosts: ['127.0.0.1', '224.0.0.1'], allowPrivateNetworks: true };
    await assertUrlAllowed('http://127.0.0.1:8080/', settings, dns);
    await refused(assertUrlAllowed('http://224.0.0.1/', settings, dns), 'address_not_allowed');
  });
  test('non-http schemes and embedded credentials are refused', async () => {
    const settings = { allowedHosts: ['api.example.com'], allowPrivateNetworks: false };
    await refused(assertUrlAllowed('file:///etc/passwd', settings, dns), 'invalid_url');
    await refused(assertUrlAllowed('https://u:p@api.example.com/', settings, dns), 'invalid_url');
  });
});

describe('assertRedirectAllowed', () => {
  const from = new URL('https://api.example.com/a');
  test('same-host redirects resolve', () => {
    assert.equal(assertRedirectAllowed(from, '/b?x=1').toString(), 'https://api.example.com/b?x=1');
  });
  test('redirects to another host are refused', () => {
    assert.throws(
      () => assertRedirectAllowed(from, 'http://169.254.169.254/'),
      (e: unknown) => e instanceof IntegrationError && e.code === 'redirect_not_allowed',
    );
    assert.throws(
      () => assertRedirectAllowed(from, 'https://evil.example.net/'),
      (e: unknown) => e instanceof IntegrationError && e.code === 'redirect_not_allowed',
    );
  });
  test('redirects to another port of the same host are refused, also through a scheme default', () => {
    const local = new URL('http://127.0.0.1:4010/http/x');
    assert.equal(assertRedirectAllowed(local, 'http://127.0.0.1:4010/http/y').port, '4010');
    for (const to of ['http://127.0.0.1:8233/api/v1/namespaces/default/workflows', 'http://127.0.0.1/', 'https://127.0.0.1/']) {
      assert.throws(
        () => assertRedirectAllowed(local, to),
        (e: unknown) => e instanceof IntegrationError && e.code === 'redirect_not_allowed',
        to,
      );
    }
    assert.equal(assertRedirectAllowed(new URL('https://api.example.com/a'), 'https://api.example.com:443/b').pathname, '/b', 'the default port spelt out is the same port');
  });
});
