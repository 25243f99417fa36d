/**
 * Elastic Security alerts, sent by a Kibana webhook connector. The body is whatever template the
 * user wrote, so the common shapes are all accepted:
 * - one alert document;
 * - an array of alert documents (or of Elasticsearch hits with `_source`);
 * - `{alerts: [...]}` (optionally with `rule`, `date` around it, as in Vigil's suggested template);
 * - `{context: {alerts: [...]}}`;
 * - the alerting summary shape `{alerts: {new: {data: [...]}, ongoing: {data: [...]}, …}}`;
 * - any of the above with the list rendered as a JSON string (`"alerts": "{{context.alerts}}"`).
 * Alert documents may use dotted keys (`"kibana.alert.uuid"`), nested objects, or a mix; legacy
 * `signal.*` documents are read too. Dedup key: `kibana.alert.uuid` (else the hit's `_id`).
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type BatchItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding, statusIdFromName } from './finding.js';
import { getArray, getNumber, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import type { OcsfFingerprint, OcsfProcess } from '../../common/canonical-alert.js';
import { device, deviceTypeFromName, email, endpoint, EvidenceList, file, hashes, networkInterface, os, processOf, query, url, user } from './evidence.js';
import { severityFromElasticRisk, severityFromName } from './severity.js';
import { firstTimestamp } from './timestamps.js';
import { accountUser } from './accounts.js';
import { parseJsonSafely } from '../../common/http/payload-guard.js';

const PRODUCT = { name: 'Elastic Security', vendor_name: 'Elastic' };

/** What a template may put around the alerts: used only when the document itself lacks it. */
interface WrapperContext {
  ruleName?: string;
  ruleUrl?: string;
  date?: unknown;
}

function docOf(value: unknown): unknown {
  return getRecord(value, '_source') ?? value;
}

function isAlertDoc(value: unknown): boolean {
  const doc = docOf(value);
  return (
    isRecord(doc) && ['kibana.alert.uuid', 'kibana.alert.rule.name', 'kibana.alert.rule.uuid', 'signal.rule.name', 'signal.rule.id'].some((p) => getPath(doc, p) !== undefined)
  );
}

/** A list of alerts at `value`: an array, a JSON string holding one, or the summary shape. */
function alertList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') {
    const parsed = parseJsonSafely(value);
    return parsed.ok ? alertList(parsed.value) : undefined;
  }
  if (isRecord(value)) {
    const all = getArray(value, 'all.data');
    if (all !== undefined) return all;
    const parts = ['new.data', 'ongoing.data', 'recovered.data'].map((p) => getArray(value, p));
    if (parts.some((p) => p !== undefined)) return parts.flatMap((p) => p ?? []);
  }
  return undefined;
}

function wrapperContext(body: JsonRecord): WrapperContext {
  return {
    ruleName: getString(body, 'rule.name', 'context.rule.name'),
    ruleUrl: getString(body, 'rule.url', 'context.rule.url'),
    date: getPath(body, 'date') ?? getPath(body, 'context.date'),
  };
}

function listOf(body: unknown): unknown[] | undefined {
  if (!isRecord(body) || isAlertDoc(body)) return undefined;
  return alertList(getPath(body, 'alerts')) ?? alertList(getPath(body, 'context.alerts'));
}

function unwrapWith(contexts: WeakMap<object, WrapperContext>) {
  const itemsOf = (body: unknown, depth: number): BatchItem[] | undefined => {
    if (isAlertDoc(body)) return [{ value: body }];
    const list = listOf(body);
    if (list !== undefined && isRecord(body)) {
      const ctx = wrapperContext(body);
      return list.map((value) => {
        if (isRecord(value)) contexts.set(value, ctx);
        return isAlertDoc(value) ? { value } : { value, error: unrecognizedItem('Not an Elastic Security alert document').failure };
      });
    }
    if (Array.isArray(body) && depth === 0) {
      return body.flatMap((v) => itemsOf(v, 1) ?? [{ value: v, error: unrecognizedItem('Not an Elastic Security alert document').failure }]);
    }
    return undefined;
  };
  return (body: unknown): Unwrapped => {
    const items = itemsOf(body, 0);
    const ruleRun = items !== undefined && items.length === 0 && isRecord(body) ? wrapperContext(body) : undefined;
    if (ruleRun?.ruleName !== undefined) {
      // A rule action that fired on a run without alerts (a summary with zero counts): nothing to ingest, not an error.
      return {
        kind: 'ack',
        acknowledgement: { kind: 'no_alerts', message: `Kibana rule "${ruleRun.ruleName}" reported a run without alerts`, details: { rule: ruleRun.ruleName, date: ruleRun.date } },
      };
    }
    return items === undefined ? { kind: 'unrecognized', message: 'Body holds no Elastic Security alert documents (kibana.alert.* or signal.*)' } : { kind: 'items', items };
  };
}

/**
 * A 7.x `.siem-signals` document sent without its `_id` has no id of its own: the rule and the
 * source event it fired on (`signal.parent`, else the first of `signal.parents`/`ancestors`) identify it.
 */
function legacySignalUid(doc: JsonRecord): string | undefined {
  const rule = getString(doc, 'signal.rule.id', 'signal.rule.rule_id');
  const parent = getString(doc, 'signal.parent.id') ?? getString(getRecords(doc, 'signal.parents')[0], 'id') ?? getString(getRecords(doc, 'signal.ancestors')[0], 'id');
  return rule === undefined || parent === undefined ? undefined : `signal:${rule}:${parent}`;
}

function ecsHashes(doc: JsonRecord, base: string): OcsfFingerprint[] {
  return hashes(...['md5', 'sha1', 'sha256'].map((h) => getPath(doc, `${base}.hash.${h}`)));
}

function ecsProcess(doc: JsonRecord, base: string, parent?: OcsfProcess): OcsfProcess | undefined {
  const image = file({ path: getPath(doc, `${base}.executable`), name: getPath(doc, `${base}.name`), hashes: ecsHashes(doc, base), type_id: 8 });
  return processOf({
    pid: getPath(doc, `${base}.pid`),
    uid: getPath(doc, `${base}.entity_id`),
    name: getPath(doc, `${base}.name`),
    cmd_line: getPath(doc, `${base}.command_line`),
    file: image,
    parent_process: parent,
  });
}

/** ECS fields in their OCSF homes; `related.*` lists have none and stay as indicators. */
function ecsEvidences(doc: JsonRecord): { evidences: EvidenceList; iocs: unknown[] } {
  const evidences = new EvidenceList();
  const side = (base: string) => endpoint({ ip: getPath(doc, `${base}.ip`), domain: getPath(doc, `${base}.domain`), port: getPath(doc, `${base}.port`) });
  evidences.add({ src_endpoint: side('source'), dst_endpoint: side('destination') });
  evidences.add({ src_endpoint: side('client'), dst_endpoint: side('server') });
  evidences.add({ process: ecsProcess(doc, 'process', ecsProcess(doc, 'process.parent')) });
  evidences.add({ file: file({ path: getPath(doc, 'file.path'), name: getPath(doc, 'file.name'), hashes: ecsHashes(doc, 'file'), size: getPath(doc, 'file.size') }) });
  evidences.add({ file: file({ path: getPath(doc, 'dll.path'), name: getPath(doc, 'dll.name'), hashes: ecsHashes(doc, 'dll') }) });
  evidences.add({ query: query(getPath(doc, 'dns.question.name')) });
  evidences.add({ url: url(getString(doc, 'url.full', 'url.original')) });
  evidences.add({
    email: email({
      from: getPath(doc, 'email.from.address') ?? getPath(doc, 'email.sender.address'),
      to: getPath(doc, 'email.to.address'),
      subject: getPath(doc, 'email.subject'),
    }),
  });
  evidences.add({ user: user({ name: getPath(doc, 'user.target.name'), uid: getPath(doc, 'user.target.id') }) });
  evidences.add({ src_endpoint: side('source'), user: user({ name: getPath(doc, 'source.user.name') }) });
  evidences.add({ dst_endpoint: side('destination'), user: user({ name: getPath(doc, 'destination.user.name') }) });
  const iocs = ['related.ip', 'related.hosts', 'related.user', 'related.hash', 'url.domain'].flatMap((f) => getStrings(doc, f));
  return { evidences, iocs };
}

function addThreat(doc: JsonRecord, attacks: AttackCollector): void {
  const threats = getRecords(doc, 'kibana.alert.rule.threat', 'signal.rule.threat');
  for (const threat of threats) {
    const framework = getString(threat, 'framework');
    if (framework !== undefined && !/att&?ck/i.test(framework)) continue;
    const tactic = getString(threat, 'tactic.id') ?? getString(threat, 'tactic.name');
    const techniques = getRecords(threat, 'technique');
    if (techniques.length === 0 && tactic !== undefined) attacks.add({ tactic });
    for (const technique of techniques) {
      const id = getString(technique, 'id');
      const name = getString(technique, 'name');
      const subs = getRecords(technique, 'subtechnique');
      if (subs.length === 0) {
        attacks.add({ tactic, technique: id, techniqueName: name });
        continue;
      }
      for (const sub of subs) {
        attacks.add({ tactic, technique: getString(sub, 'id') ?? id, techniqueName: getString(sub, 'name'), parentTechniqueName: name });
      }
    }
  }
}

function mapItem(item: unknown, ctx: WrapperContext | undefined, now: number): ItemOutcome {
  const doc = docOf(item);
  if (!isRecord(doc)) return invalidAlert('', 'Elastic alert must be an object');
  const rawUid = getPath(doc, 'kibana.alert.uuid');
  if (rawUid !== undefined && (typeof rawUid !== 'string' || rawUid.trim() === '')) {
    return invalidAlert('kibana.alert.uuid', 'kibana.alert.uuid must be a non-empty string');
  }
  const uid = getString(doc, 'kibana.alert.uuid') ?? getString(item, '_id') ?? getString(doc, '_id') ?? legacySignalUid(doc);
  if (uid === undefined) return invalidAlert('kibana.alert.uuid', 'Elastic alert has no kibana.alert.uuid');

  const { evidences, iocs } = ecsEvidences(doc);

  const attacks = new AttackCollector();
  addThreat(doc, attacks);

  const severityName = getString(doc, 'kibana.alert.severity', 'kibana.alert.rule.severity', 'signal.rule.severity');
  const risk = getNumber(doc, 'kibana.alert.risk_score', 'kibana.alert.rule.risk_score', 'signal.rule.risk_score');
  const severity = severityFromName(severityName) ?? (risk === undefined ? 0 : severityFromElasticRisk(risk));
  const ruleName = getString(doc, 'kibana.alert.rule.name', 'signal.rule.name') ?? ctx?.ruleName;
  const workflow = getString(doc, 'kibana.alert.workflow_status', 'signal.status');

  const alert = buildFinding({
    uid,
    title: ruleName ?? 'Elastic Security alert',
    desc: getString(doc, 'kibana.alert.reason', 'signal.reason', 'kibana.alert.rule.description', 'signal.rule.description'),
    severity_id: severity,
    time: firstTimestamp(getPath(doc, '@timestamp'), ctx?.date) ?? now,
    created_time: firstTimestamp(getPath(doc, '@timestamp')),
    first_seen_time: firstTimestamp(getPath(doc, 'kibana.alert.original_time'), getPath(doc, 'signal.original_time')),
    last_seen_time: firstTimestamp(getPath(doc, 'kibana.alert.last_detected')),
    status_id: statusIdFromName(workflow),
    product: PRODUCT,
    log_name: getString(item, '_index') ?? '.alerts-security.alerts',
    src_url: getString(doc, 'kibana.alert.url') ?? ctx?.ruleUrl,
    analytic: {
      uid: getString(doc, 'kibana.alert.rule.rule_id', 'kibana.alert.rule.uuid', 'signal.rule.rule_id', 'signal.rule.id'),
      name: ruleName,
      type: getString(doc, 'kibana.alert.rule.type', 'signal.rule.type'),
    },
    attacks: attacks.toArray(),
    original_time: getPath(doc, '@timestamp') ?? ctx?.date,
    device: device({
      hostname: getString(doc, 'host.hostname', 'host.name'),
      name: getString(doc, 'host.name'),
      ip: getStrings(doc, 'host.ip')[0],
      uid: getString(doc, 'host.id'),
      os: os(getString(doc, 'host.os.name', 'host.os.family', 'host.os.type'), getString(doc, 'host.os.version')),
      type_id: deviceTypeFromName(getString(doc, 'host.type')),
      network_interfaces: getStrings(doc, 'host.ip')
        .slice(1)
        .map((ip) => networkInterface({ ip })),
    }),
    // `user.name` is often `DOMAIN\\user` (Windows events, 7.x signals): split, and a machine account is no person.
    user:
      accountUser(getString(doc, 'user.name'), getString(doc, 'user.domain'), { uid: getString(doc, 'user.id') }) ??
      user({ uid: getString(doc, 'user.id'), email_addr: getString(doc, 'user.email') }),
    evidences,
    iocs,
    unmapped: {
      count: getNumber(doc, 'kibana.alert.suppression.docs_count'),
      risk_score: risk,
      workflow_status: workflow,
      rule_type: getString(doc, 'kibana.alert.rule.type', 'signal.rule.type'),
      rule_version: getNumber(doc, 'kibana.alert.rule.version'),
    },
  });
  return { alert };
}

export const elasticNormalizer: AlertNormalizer = {
  source: 'elastic',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : body;
    if (isAlertDoc(first)) return true;
    const list = listOf(first);
    if (list !== undefined && isAlertDoc(list[0])) return true;
    // A rule action's summary of a run without alerts: a Kibana rule, its date, an empty alerts summary.
    return list !== undefined && list.length === 0 && isRecord(first) && !Array.isArray(getPath(first, 'alerts')) && getString(first, 'rule.name', 'rule.id') !== undefined;
  },
  normalize(body: unknown, now: number): NormalizeResult {
    const contexts = new WeakMap<object, WrapperContext>();
    return runNormalizer(body, unwrapWith(contexts), (item) => mapItem(item, isRecord(item) ? contexts.get(item) : undefined, now));
  },
};
