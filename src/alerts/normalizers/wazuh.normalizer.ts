/**
 * Wazuh alerts: the raw alert JSON as written to alerts.json (one object, an array, or NDJSON
 * text), or the body of Wazuh's bundled integrations, which put the alert under `all_fields`
 * beside `{severity, pretext, title, text, rule_id, timestamp, id}`. Dedup key: the alert `id`
 * (`<epoch>.<offset>`). Severity from `rule.level` 0–15 (16 is seen). Timestamps carry offsets
 * without a colon (`+0000`). ATT&CK: `rule.mitre.id` (technique ids) and `rule.mitre.tactic`
 * (names). `rule.firedtimes` is the repeat counter, exposed as `unmapped.count`.
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding } from './finding.js';
import { getId, getNumber, getPath, getRecord, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { device, endpoint, EvidenceList, file, hashes, processOf, query, url } from './evidence.js';
import { severityFromWazuhLevel } from './severity.js';
import { firstTimestamp } from './timestamps.js';
import { accountEvidence, accountUser } from './accounts.js';
import { parseAccount } from './observables.js';

const PRODUCT = { name: 'Wazuh', vendor_name: 'Wazuh' };

function isRawAlert(value: unknown): boolean {
  return (
    isRecord(value) && isRecord(getPath(value, 'rule')) && getPath(value, 'rule.level') !== undefined && (isRecord(getPath(value, 'agent')) || getPath(value, 'id') !== undefined)
  );
}

function isWrapped(value: unknown): boolean {
  return isRecord(value) && isRawAlert(getPath(value, 'all_fields'));
}

function unwrap(body: unknown): Unwrapped {
  const accept = (value: unknown) => (isRawAlert(value) || isWrapped(value) ? { value } : { value, error: unrecognizedItem('Not a Wazuh alert').failure });
  if (Array.isArray(body)) return { kind: 'items', items: body.map(accept) };
  if (isRawAlert(body) || isWrapped(body)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not a Wazuh alert or integration message with all_fields' };
}

/** Windows event data hashes arrive as `SHA1=…,MD5=…,SHA256=…,IMPHASH=…`. */
function sysmonHashes(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((part) => part.split('=')[1]?.trim() ?? '')
    .filter((h) => h !== '');
}

/** Decoder fields in their OCSF homes: the network pair, users, Sysmon/auditd processes, FIM and VirusTotal files, DNS, URL. */
/** `::ffff:10.1.4.142`, as Windows logs IPv4 peers, is the IPv4 address. */
function unmapV4(value: unknown): unknown {
  const m = typeof value === 'string' ? /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value.trim()) : null;
  return m === null ? value : m[1];
}

/** The command line of an audited execve: its arguments `a0`, `a1`… joined, when the decoder gives them. */
function auditCommandLine(alert: JsonRecord): string | undefined {
  const execve = getRecord(alert, 'data.audit.execve');
  if (execve === undefined) return undefined;
  const args: string[] = [];
  for (let i = 0; i < 64; i++) {
    const arg = getString(execve, `a${i}`);
    if (arg === undefined) break;
    args.push(arg);
  }
  return args.length === 0 ? undefined : args.join(' ');
}

function wazuhEvidences(alert: JsonRecord): EvidenceList {
  const evidences = new EvidenceList();
  const d = (field: string): unknown => getPath(alert, `data.${field}`);
  const w = (field: string): unknown => getPath(alert, `data.win.eventdata.${field}`);
  evidences.add({
    src_endpoint: endpoint({ ip: unmapV4(d('srcip') ?? d('src_ip') ?? w('ipAddress') ?? w('sourceIp')), port: d('srcport') ?? w('sourcePort') ?? w('ipPort') }),
    dst_endpoint: endpoint({ ip: d('dstip') ?? d('dest_ip') ?? w('destinationIp'), port: d('dstport') ?? w('destinationPort') }),
  });
  // Windows names subject and target apart from their domains; a machine account (`WS-0142$`) is a host, not a person.
  const subject = d('srcuser') ?? w('subjectUserName');
  const subjectHost = parseAccount(subject)?.machine === true ? accountEvidence(subject, w('subjectDomainName')) : undefined;
  if (subjectHost !== undefined) evidences.add(subjectHost);
  else evidences.add({ actor: { user: accountUser(subject, w('subjectDomainName')) } });
  const target = d('dstuser') ?? w('targetUserName') ?? w('user');
  const targetEvidence = accountEvidence(target, w('targetDomainName'));
  if (targetEvidence !== undefined) evidences.add(targetEvidence);
  evidences.add({ src_endpoint: endpoint({ hostname: w('workstationName') }) });
  // FIM who-data: the process and user that changed the file.
  evidences.add({
    process: processOf({
      pid: getPath(alert, 'syscheck.audit.process.id'),
      file: file({ path: getPath(alert, 'syscheck.audit.process.name'), type_id: 8 }),
      user: accountUser(getPath(alert, 'syscheck.audit.user.name')),
    }),
    actor: { user: accountUser(getPath(alert, 'syscheck.audit.login_user.name')) },
  });
  const parent = processOf({ pid: w('parentProcessId'), file: file({ path: w('parentImage'), type_id: 8 }), cmd_line: w('parentCommandLine') });
  const image = file({ path: w('image'), hashes: hashes(sysmonHashes(getString(alert, 'data.win.eventdata.hashes'))), type_id: 8 });
  evidences.add({ process: processOf({ pid: w('processId'), uid: w('processGuid'), file: image, cmd_line: w('commandLine'), parent_process: parent }) });
  evidences.add({ process: processOf({ pid: d('audit.pid'), file: file({ path: d('audit.exe'), type_id: 8 }), cmd_line: auditCommandLine(alert) ?? d('audit.command') }) });
  evidences.add({
    file: file({
      path: getPath(alert, 'syscheck.path'),
      hashes: hashes(getPath(alert, 'syscheck.sha256_after'), getPath(alert, 'syscheck.sha1_after'), getPath(alert, 'syscheck.md5_after')),
      size: getPath(alert, 'syscheck.size_after'),
    }),
  });
  evidences.add({ file: file({ path: d('virustotal.source.file'), hashes: hashes(d('virustotal.source.sha1'), d('virustotal.source.md5')) }) });
  evidences.add({ query: query(d('dns.rrname') ?? w('queryName')) });
  evidences.add({ url: url(d('url') ?? d('http.url')) });
  evidences.add({ dst_endpoint: endpoint({ hostname: d('hostname') }) });
  return evidences;
}

function mapItem(item: unknown, now: number): ItemOutcome {
  const wrapped = isWrapped(item);
  const alertRecord = wrapped ? getRecord(item, 'all_fields') : isRecord(item) ? item : undefined;
  if (alertRecord === undefined) return invalidAlert('', 'Not a Wazuh alert');
  const prefix = wrapped ? 'all_fields.' : '';
  const uid = getId(alertRecord, 'id') ?? (wrapped ? getId(item, 'id') : undefined);
  if (uid === undefined) return invalidAlert(`${prefix}id`, 'Wazuh alert id is missing');
  const level = getNumber(alertRecord, 'rule.level');
  if (level === undefined) return invalidAlert(`${prefix}rule.level`, 'Wazuh rule.level must be a number');

  const evidences = wazuhEvidences(alertRecord);
  const attacks = new AttackCollector();
  attacks.addUnpaired(getStrings(alertRecord, 'rule.mitre.tactic'), getStrings(alertRecord, 'rule.mitre.id'));
  const ruleId = getId(alertRecord, 'rule.id');
  const description = getString(alertRecord, 'rule.description');

  const alert = buildFinding({
    uid,
    title: description ?? (wrapped ? getString(item, 'title') : undefined) ?? `Wazuh rule ${ruleId ?? 'alert'}`,
    desc: getString(alertRecord, 'full_log') ?? (wrapped ? getString(item, 'text') : undefined),
    severity_id: severityFromWazuhLevel(level),
    time: firstTimestamp(getPath(alertRecord, 'timestamp'), getPath(alertRecord, '@timestamp'), wrapped ? getPath(item, 'timestamp') : undefined) ?? now,
    product: PRODUCT,
    log_name: 'alerts',
    types: getStrings(alertRecord, 'rule.groups'),
    analytic: { uid: ruleId, name: description, type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    original_time: getPath(alertRecord, 'timestamp') ?? getPath(alertRecord, '@timestamp'),
    device: device({
      hostname: getString(alertRecord, 'agent.name'),
      ip: getString(alertRecord, 'agent.ip'),
      uid: getId(alertRecord, 'agent.id'),
    }),
    user: accountUser(getString(alertRecord, 'data.dstuser', 'data.win.eventdata.targetUserName'), getString(alertRecord, 'data.win.eventdata.targetDomainName')),
    evidences,
    unmapped: {
      count: getNumber(alertRecord, 'rule.firedtimes'),
      level,
      manager: getString(alertRecord, 'manager.name'),
      location: getString(alertRecord, 'location'),
      decoder: getString(alertRecord, 'decoder.name'),
    },
  });
  return { alert };
}

export const wazuhNormalizer: AlertNormalizer = {
  source: 'wazuh',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : body;
    return isRawAlert(first) || isWrapped(first);
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now), { ndjson: true });
  },
};
