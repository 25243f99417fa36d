/**
 * Suricata EVE JSON: one record, an array of records, or NDJSON text (several eve.json lines in
 * one POST). Only `event_type == "alert"` records become alerts; flow, http, dns, stats… records
 * are skipped, not failures. EVE has no alert id, so the dedup key is `flow_id:signature_id`:
 * a signature firing again on the same flow is the same alert. `flow_id` is a 64-bit integer;
 * from text bodies it is read from the text itself so it keeps every digit (a value parsed into
 * a JS number beyond 2^53 would be rounded). Severity: alert.severity 1 (most severe) … 255.
 * Signature metadata values are arrays (`mitre_technique_id: ["T1105"]`).
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding } from './finding.js';
import { getId, getNumber, getPath, getRecord, getRecords, getString, getStrings, isRecord } from './field-access.js';
import { classifyIp } from './observables.js';
import { device, email, endpoint, EvidenceList, file, hashes, query, url } from './evidence.js';
import { severityFromSuricata } from './severity.js';
import { firstTimestamp } from './timestamps.js';

const PRODUCT = { name: 'Suricata', vendor_name: 'OISF' };

function isEveRecord(value: unknown): boolean {
  return isRecord(value) && typeof getPath(value, 'event_type') === 'string' && (getPath(value, 'timestamp') !== undefined || getPath(value, 'flow_id') !== undefined);
}

function unwrap(body: unknown): Unwrapped {
  const accept = (value: unknown) => (isEveRecord(value) ? { value } : { value, error: unrecognizedItem('Not a Suricata EVE record').failure });
  if (Array.isArray(body)) return { kind: 'items', items: body.map(accept) };
  if (isEveRecord(body)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not Suricata EVE JSON (an object, an array or NDJSON lines with event_type)' };
}

/** The URL of an HTTP transaction, from its Host header and request target. */
function httpUrl(item: unknown): string | undefined {
  const target = getString(item, 'http.url');
  if (target === undefined) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  const host = getString(item, 'http.hostname');
  if (host === undefined || !target.startsWith('/')) return undefined;
  const port = getNumber(item, 'http.http_port') ?? getNumber(item, 'dest_port');
  const hostPart = classifyIp(host)?.version === 6 ? `[${host}]` : host;
  return `http://${hostPart}${port !== undefined && port !== 80 ? `:${port}` : ''}${target}`;
}

function mapItem(item: unknown, flowIds: WeakMap<object, string>, now: number): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'EVE record must be an object');
  const eventType = getString(item, 'event_type');
  if (eventType !== 'alert') return { skip: `EVE ${eventType ?? 'untyped'} record` };
  const alertPart = getRecord(item, 'alert');
  if (alertPart === undefined) return invalidAlert('alert', 'EVE alert record has no alert object');
  const signatureId = getId(alertPart, 'signature_id');
  if (signatureId === undefined) return invalidAlert('alert.signature_id', 'EVE alert has no signature_id');
  const flowId = flowIds.get(item) ?? getId(item, 'flow_id');
  if (flowId === undefined) return invalidAlert('flow_id', 'EVE alert has no flow_id');
  const rawSeverity = getPath(alertPart, 'severity');
  const severity = getNumber(alertPart, 'severity');
  if (rawSeverity !== undefined && severity === undefined) return invalidAlert('alert.severity', 'EVE alert.severity must be a number');

  const srcIp = getString(item, 'src_ip');
  const destIp = getString(item, 'dest_ip');
  const evidences = new EvidenceList();
  const fileHashes = hashes(...['sha256', 'sha1', 'md5'].map((h) => getPath(item, `fileinfo.${h}`)));
  evidences.add({
    src_endpoint: endpoint({ ip: srcIp, port: getPath(item, 'src_port') }),
    dst_endpoint: endpoint({ ip: destIp, port: getPath(item, 'dest_port'), domain: getPath(item, 'http.hostname') ?? getPath(item, 'tls.sni') }),
    url: url(httpUrl(item)),
    // EVE DNS v1/v2 put the name at `dns.rrname` or `dns.query[]`; v3 (Suricata 8) at `dns.queries[]`.
    query: query(getPath(item, 'dns.rrname') ?? getPath(getRecords(item, 'dns.query', 'dns.queries')[0], 'rrname')),
    file: file({ path: getPath(item, 'fileinfo.filename'), hashes: fileHashes, size: getPath(item, 'fileinfo.size') }),
    email: email({ from: getPath(item, 'smtp.mail_from'), to: getPath(item, 'smtp.rcpt_to') }),
  });
  for (const q of getRecords(item, 'dns.query', 'dns.queries').slice(1)) evidences.add({ query: query(getPath(q, 'rrname')) });

  const meta = getRecord(alertPart, 'metadata');
  const tactics = getStrings(meta, 'mitre_tactic_id');
  const attacks = new AttackCollector();
  attacks.addUnpaired(tactics.length > 0 ? tactics : getStrings(meta, 'mitre_tactic_name'), getStrings(meta, 'mitre_technique_id'));

  // The sensor is not the victim: the device is the internal side of the flow.
  const internalIp = [srcIp, destIp].find((ip) => ip !== undefined && classifyIp(ip)?.is_private === true);
  const signature = getString(alertPart, 'signature');

  const alert = buildFinding({
    uid: `${flowId}:${signatureId}`,
    title: signature ?? `Suricata signature ${signatureId}`,
    desc: getString(alertPart, 'category'),
    severity_id: severity === undefined ? 0 : severityFromSuricata(severity),
    time: firstTimestamp(getPath(item, 'timestamp')) ?? now,
    first_seen_time: firstTimestamp(getPath(item, 'flow.start')),
    product: PRODUCT,
    log_name: 'eve',
    analytic: { uid: signatureId, name: signature, type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    original_time: getPath(item, 'timestamp'),
    device: device({ ip: internalIp }),
    evidences,
    iocs: getPath(item, 'fileinfo.filename') === undefined ? fileHashes.map((h) => h.value) : undefined,
    unmapped: {
      sensor: getString(item, 'host'),
      in_iface: getString(item, 'in_iface'),
      action: getString(alertPart, 'action'),
      gid: getNumber(alertPart, 'gid'),
      rev: getNumber(alertPart, 'rev'),
      proto: getString(item, 'proto'),
      app_proto: getString(item, 'app_proto'),
      src_port: getNumber(item, 'src_port'),
      dest_port: getNumber(item, 'dest_port'),
      community_id: getString(item, 'community_id'),
      metadata: meta,
    },
  });
  return { alert };
}

const FLOW_ID_TEXT = /"flow_id"\s*:\s*"?(\d+)/;

export const suricataNormalizer: AlertNormalizer = {
  source: 'suricata',
  detect(body: unknown): boolean {
    if (typeof body === 'string') {
      const firstLine = body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
      return /"event_type"\s*:/.test(firstLine);
    }
    return isEveRecord(Array.isArray(body) ? body[0] : body);
  },
  normalize(body: unknown, now: number): NormalizeResult {
    const flowIds = new WeakMap<object, string>();
    const onText = (text: string, value: unknown): void => {
      if (!isRecord(value)) return;
      const m = FLOW_ID_TEXT.exec(text);
      if (m !== null) flowIds.set(value, m[1]);
    };
    return runNormalizer(body, unwrap, (item) => mapItem(item, flowIds, now), { ndjson: true, onText });
  },
};
