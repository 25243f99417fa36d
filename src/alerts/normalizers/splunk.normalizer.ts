/**
 * Splunk's webhook alert action: `{sid, search_name, app, owner, results_link, result}` where
 * `result` is the first result row of the search, every value a string (multivalue fields as
 * arrays of strings). Several such bodies may arrive as an array.
 * Splunk sends no alert id, so the dedup key is `sid` plus a short sha256 of the canonical JSON
 * of `result`: the same row from the same search run is the same alert. Severity comes only from
 * what the search put in the row (`severity`, `urgency` or `priority`); fields are read by their
 * CIM names.
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector, isTacticId, isTechniqueId, splitAttackList } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding } from './finding.js';
import { contentHash } from './fingerprint.js';
import { getNumber, getPath, getRecord, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { classifyIp } from './observables.js';
import { device, email, endpoint, EvidenceList, file, hashes, processOf, query, url, user } from './evidence.js';
import { severityFromName } from './severity.js';
import { firstTimestamp } from './timestamps.js';
import { accountUser } from './accounts.js';

const PRODUCT = { name: 'Splunk', vendor_name: 'Splunk' };

function isWebhook(value: unknown): boolean {
  return isRecord(value) && typeof getPath(value, 'sid') === 'string' && isRecord(getPath(value, 'result'));
}

function unwrap(body: unknown): Unwrapped {
  if (Array.isArray(body)) {
    return { kind: 'items', items: body.map((value) => (isWebhook(value) ? { value } : { value, error: unrecognizedItem('Not a Splunk webhook body').failure })) };
  }
  if (isRecord(body) && (getPath(body, 'sid') !== undefined || getPath(body, 'result') !== undefined)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not a Splunk webhook alert action ({sid, search_name, result})' };
}

/** The first of the CIM fields that is set. */
function cim(result: JsonRecord, ...fields: string[]): unknown {
  for (const f of fields) {
    const v = getPath(result, f);
    if (v !== undefined && v !== null && v !== '') return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** CIM fields in their OCSF homes: endpoints, process, file, URL, DNS query, email, users. */
/** Hash fields as Sysmon and CIM write them: a bare hash, or `MD5=…,SHA256=…` lists. */
function hashValues(value: unknown): unknown {
  if (typeof value !== 'string' || !value.includes('=')) return value;
  return value
    .split(',')
    .map((part) => part.split('=')[1]?.trim() ?? '')
    .filter((h) => h !== '');
}

function cimEvidences(r: JsonRecord): { evidences: EvidenceList; iocs: unknown[] } {
  const evidences = new EvidenceList();
  const src = endpoint({ ip: cim(r, 'src_ip', 'client_ip', 'remote_ip'), hostname: cim(r, 'src_host', 'src_nt_host', 'src'), port: cim(r, 'src_port') });
  const srcIpOnly = endpoint({ ip: cim(r, 'src') });
  const dst = endpoint({ ip: cim(r, 'dest_ip'), hostname: cim(r, 'dest_host', 'dest_nt_host', 'dest'), port: cim(r, 'dest_port'), domain: cim(r, 'dest_domain') });
  evidences.add({ src_endpoint: src ?? srcIpOnly, dst_endpoint: dst });
  if (src !== undefined && srcIpOnly !== undefined && src.ip !== srcIpOnly.ip) evidences.add({ src_endpoint: srcIpOnly });
  // Multivalue fields: every further value is an endpoint of its own.
  for (const ip of getStrings(r, 'src_ip').slice(1)) evidences.add({ src_endpoint: endpoint({ ip }) });
  for (const ip of getStrings(r, 'dest_ip').slice(1)) evidences.add({ dst_endpoint: endpoint({ ip }) });
  evidences.add({ device: device({ ip: cim(r, 'dvc_ip'), hostname: cim(r, 'dvc') }) });
  const parent = processOf({
    pid: cim(r, 'parent_process_id'),
    name: cim(r, 'parent_process_name'),
    cmd_line: cim(r, 'parent_process'),
    file: file({ path: cim(r, 'parent_process_path'), name: cim(r, 'parent_process_name'), type_id: 8 }),
  });
  const image = file({ path: cim(r, 'process_path', 'process_name'), hashes: hashes(hashValues(getPath(r, 'process_hash'))), type_id: 8 });
  evidences.add({
    process: processOf({
      pid: cim(r, 'process_id', 'pid'),
      name: cim(r, 'process_name'),
      cmd_line: cim(r, 'process', 'cmdline', 'command_line'),
      file: image,
      parent_process: parent,
    }),
  });
  const fileHashes = hashes(...['file_hash', 'hash', 'md5', 'sha1', 'sha256', 'file_md5', 'file_sha1', 'file_sha256'].map((f) => getPath(r, f)));
  const theFile = file({ path: cim(r, 'file_path'), name: cim(r, 'file_name'), hashes: fileHashes });
  evidences.add({ file: theFile });
  for (const u of getStrings(r, 'url')) evidences.add({ url: url(u) });
  evidences.add({ query: query(cim(r, 'query')) });
  evidences.add({ email: email({ from: cim(r, 'sender', 'src_user_email'), to: getPath(r, 'recipient'), subject: cim(r, 'subject') }) });
  evidences.add({ user: accountUser(cim(r, 'dest_user')) ?? user({ email_addr: cim(r, 'user_email') }) });
  evidences.add({ actor: { user: accountUser(cim(r, 'src_user')) } });
  // Values with no home of their own: a bare `ip`/`domain`, hashes of a file the row does not name.
  const iocs = [cim(r, 'ip'), ...getStrings(r, 'domain'), ...getStrings(r, 'url_domain'), ...(theFile === undefined ? fileHashes.map((h) => h.value) : [])];
  return { evidences, iocs };
}

/** Result fields as dotted keys: Splunk sends `annotations.mitre_attack` flat, a custom body may nest it. */
function flatEntries(record: JsonRecord, prefix = ''): Array<[string, unknown]> {
  return Object.entries(record).flatMap(([k, v]): Array<[string, unknown]> => {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    return isRecord(v) ? flatEntries(v, key) : [[key, v]];
  });
}

function addAttack(result: JsonRecord, attacks: AttackCollector, labels: string[]): void {
  for (const [key, value] of flatEntries(result)) {
    const lower = key.toLowerCase();
    if (!lower.includes('mitre') && !lower.includes('tactic') && !lower.includes('technique')) continue;
    for (const text of getStrings({ v: value }, 'v')) {
      if (lower.includes('tactic') && !lower.includes('_id')) {
        // Tactic names contain spaces, so only split on list separators.
        for (const name of text.split(/[\n,;|]+/)) attacks.add({ tactic: name.trim() });
        continue;
      }
      for (const token of splitAttackList(text)) {
        if (isTacticId(token)) attacks.add({ tactic: token });
        else if (isTechniqueId(token)) attacks.add({ technique: token });
        else if (lower.startsWith('annotations')) labels.push(`splunk:${token}`);
      }
    }
  }
}

function mapItem(item: unknown, now: number): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'Splunk webhook body must be an object');
  const sid = getPath(item, 'sid');
  if (typeof sid !== 'string' || sid.trim() === '') return invalidAlert('sid', 'Splunk sid is missing or not a string');
  const searchName = getPath(item, 'search_name');
  if (searchName !== undefined && typeof searchName !== 'string') return invalidAlert('search_name', 'Splunk search_name must be a string');
  const rawResult = getPath(item, 'result');
  // A test delivery or a search that matched nothing carries no row: valid, but nothing to ingest.
  if (rawResult === undefined || rawResult === null || (isRecord(rawResult) && Object.keys(rawResult).length === 0)) {
    return { skip: `Splunk search "${typeof searchName === 'string' ? searchName : sid}" delivered no result row` };
  }
  const result = getRecord(item, 'result');
  if (result === undefined) return invalidAlert('result', 'Splunk result is missing or not an object');

  const { evidences, iocs } = cimEvidences(result);

  const attacks = new AttackCollector();
  const labels: string[] = [];
  addAttack(result, attacks, labels);

  const dest = getString(result, 'dest_host', 'dest_nt_host', 'dest');
  const destHost = dest !== undefined && classifyIp(dest) === undefined ? dest : undefined;
  const destIp = getString(result, 'dest_ip') ?? (dest !== undefined && classifyIp(dest) !== undefined ? dest : undefined);

  const alert = buildFinding({
    uid: `${sid}:${contentHash(result).slice(0, 16)}`,
    title: (typeof searchName === 'string' && searchName.trim() !== '' ? searchName.trim() : undefined) ?? getString(result, 'signature', 'rule_name') ?? 'Splunk alert',
    desc: getString(result, 'description', 'signature', 'rule_description'),
    severity_id: severityFromName(getString(result, 'severity', 'urgency', 'priority')) ?? 0,
    time: firstTimestamp(getPath(result, '_time'), getPath(result, 'time')) ?? now,
    product: PRODUCT,
    log_name: 'webhook',
    original_event_uid: sid,
    src_url: getString(item, 'results_link'),
    analytic: typeof searchName === 'string' ? { name: searchName, type: 'Rule', type_id: 1 } : undefined,
    attacks: attacks.toArray(),
    labels,
    original_time: getPath(result, '_time') ?? getPath(result, 'time'),
    device: device({ hostname: destHost, ip: destIp }),
    user: accountUser(getString(result, 'user', 'user_name', 'dest_user', 'src_user'), getString(result, 'dest_nt_domain')),
    evidences,
    iocs,
    unmapped: {
      count: getNumber(result, 'count'),
      app: getString(item, 'app'),
      owner: getString(item, 'owner'),
      host: getString(result, 'host'),
      sourcetype: getString(result, 'sourcetype'),
      // Enterprise Security notable fields.
      rule_name: getString(result, 'rule_name'),
      security_domain: getString(result, 'security_domain'),
      notable_event_id: getString(result, 'event_id'),
    },
  });
  return { alert };
}

export const splunkNormalizer: AlertNormalizer = {
  source: 'splunk',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : body;
    // A webhook test delivers the same envelope without a row (`result: null`): still Splunk's.
    return (
      isWebhook(first) || (isRecord(first) && typeof getPath(first, 'sid') === 'string' && typeof getPath(first, 'search_name') === 'string' && getPath(first, 'result') === null)
    );
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
