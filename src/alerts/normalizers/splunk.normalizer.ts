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
import { classifyIp, ObservableSet, userOfAccount } from './observables.js';
import { severityFromName } from './severity.js';
import { firstTimestamp } from './timestamps.js';

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

/** Result fields by CIM name. */
const HOST_OR_IP = ['src', 'dest', 'dvc', 'src_host', 'dest_host', 'dest_nt_host', 'src_nt_host'];
const IPS = ['src_ip', 'dest_ip', 'dvc_ip', 'ip', 'client_ip', 'remote_ip'];
const USERS = ['user', 'src_user', 'dest_user', 'user_name'];
const URLS = ['url'];
const DOMAINS = ['domain', 'query', 'url_domain', 'dest_domain'];
const HASHES = ['file_hash', 'hash', 'md5', 'sha1', 'sha256', 'file_md5', 'file_sha1', 'file_sha256', 'process_hash'];
const FILES = ['file_name', 'process_name', 'parent_process_name'];
const COMMANDS = ['process', 'cmdline', 'command_line', 'parent_process'];
const EMAILS = ['sender', 'recipient', 'src_user_email', 'user_email'];
const PATHS = ['process_path', 'parent_process_path', 'file_path', 'process_exec'];

/** Hash fields as Sysmon and CIM write them: a bare hash, or `MD5=…,SHA256=…` lists. */
function hashValues(value: unknown): unknown {
  if (typeof value !== 'string' || !value.includes('=')) return value;
  return value
    .split(',')
    .map((part) => part.split('=')[1]?.trim() ?? '')
    .filter((h) => h !== '');
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

  const obs = new ObservableSet();
  const field = (f: string): unknown => getPath(result, f);
  for (const f of HOST_OR_IP) obs.addHostOrIp(field(f), `result.${f}`);
  for (const f of IPS) obs.add('ip', field(f), `result.${f}`);
  for (const f of USERS) obs.addAccount(field(f), `result.${f}`, f === 'dest_user' || f === 'user' ? getString(result, 'dest_nt_domain') : undefined);
  for (const f of URLS) obs.addUrl(field(f), `result.${f}`);
  for (const f of DOMAINS) obs.add('domain', field(f), `result.${f}`);
  for (const f of HASHES) obs.addHash(hashValues(field(f)), `result.${f}`);
  for (const f of PATHS) obs.addFilePath(field(f), `result.${f}`);
  for (const f of FILES) obs.add('file_name', field(f), `result.${f}`);
  for (const f of COMMANDS) obs.add('command_line', field(f), `result.${f}`);
  for (const f of EMAILS) obs.add('email', field(f), `result.${f}`);

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
    device: { hostname: destHost, ip: destIp },
    user: userOfAccount(getString(result, 'user', 'dest_user', 'src_user'), getString(result, 'dest_nt_domain')),
    observables: obs.toArray(),
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
    return isWebhook(Array.isArray(body) ? body[0] : body);
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
