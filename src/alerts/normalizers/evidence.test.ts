import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoint, file, processOf, resource } from './evidence.js';

describe('evidence builders', () => {
  test("an endpoint's domain is a DNS name in lower case, a Windows domain as sent, never an IP address", () => {
    assert.deepEqual(endpoint({ ip: '198.51.100.7', domain: 'Evil[.]Example' }), { ip: '198.51.100.7', domain: 'evil.example' });
    assert.deepEqual(endpoint({ hostname: 'ws-0142', domain: 'CORP' }), { hostname: 'ws-0142', domain: 'CORP' });
    assert.deepEqual(endpoint({ ip: '198.51.100.7', domain: '203.0.113.4' }), { ip: '198.51.100.7' });
    assert.equal(endpoint({ domain: '-' }), undefined);
  });

  test("an endpoint's autonomous system and ISP", () => {
    assert.deepEqual(endpoint({ ip: '198.51.100.77', asn: '64500', as_name: 'Example Hosting', isp: 'Example ISP' }), {
      ip: '198.51.100.77',
      autonomous_system: { number: 64500, name: 'Example Hosting' },
      isp: 'Example ISP',
    });
    assert.deepEqual(endpoint({ ip: '198.51.100.77', asn: 'n/a' }), { ip: '198.51.100.77' });
  });

  test('a resource needs a name or uid, as OCSF requires', () => {
    assert.equal(resource({ type: 'EKSCluster', region: 'eu-central-1' }), undefined);
    assert.deepEqual(resource({ name: 'prod-cluster', type: 'EKSCluster' }), { name: 'prod-cluster', type: 'EKSCluster' });
    assert.deepEqual(resource({ uid: 'arn:aws:s3:::assets' }), { uid: 'arn:aws:s3:::assets' });
  });

  test("a process without its image takes the program its command line runs as its file; a vendor's image wins", () => {
    assert.deepEqual(processOf({ pid: 4242, cmd_line: '"C:\\Windows\\System32\\cmd.exe" /c whoami' })?.file, {
      name: 'cmd.exe',
      type_id: 0,
      type: 'Unknown',
      path: 'C:\\Windows\\System32\\cmd.exe',
    });
    assert.deepEqual(processOf({ pid: 1, cmd_line: 'powershell.exe -enc AAAA' })?.file, { name: 'powershell.exe', type_id: 0, type: 'Unknown' });
    assert.equal(processOf({ pid: 1, cmd_line: 'x -y', file: file({ path: '/usr/bin/python3' }) })?.file?.name, 'python3');
    assert.equal(processOf({ pid: 1 })?.file, undefined);
  });
});
