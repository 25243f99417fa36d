/**
 * The OpenC2 vocabulary Vigil checks commands against before sending them: the actions and targets of
 * the OpenC2 Language Specification 1.0 (oc2ls-v1.0-cs02 §3.3.1.1, §3.3.1.2) and the command matrices
 * (Table 2.3-1) of the actuator profiles, read from OASIS's own text:
 * - SLPF: oc2slpf-v1.0-cs01 (oasis-tcs/openc2-apsc-stateless-packet-filter, oc2slpf.md, commit 4392cf2);
 * - ER: the Endpoint Response profile's working draft (oasis-tcs/openc2-ap-er, branch working,
 *   oc2edr.md, commit 1ffcea0), plus 'scan device', which the draft defines in §2.3.X.1 and its
 *   Command Arguments Matrix but not yet in Table 2.3-1.
 * OASIS publishes no JSON or JADN schema for either profile in those repositories (the ER draft's
 * Annex A "JADN Schema" is empty); integrations/openc2/openc2.test.ts checks these tables against
 * the matrices copied from the spec text (test/fixtures/openc2/).
 */

export const OPENC2_ACTIONS = [
  'scan',
  'locate',
  'query',
  'deny',
  'contain',
  'allow',
  'start',
  'stop',
  'restart',
  'set',
  'update',
  'redirect',
  'create',
  'delete',
  'detonate',
  'restore',
  'copy',
  'investigate',
  'remediate',
] as const;

export const OPENC2_TARGETS = [
  'artifact',
  'command',
  'device',
  'domain_name',
  'email_addr',
  'features',
  'file',
  'idn_domain_name',
  'idn_email_addr',
  'ipv4_net',
  'ipv6_net',
  'ipv4_connection',
  'ipv6_connection',
  'iri',
  'mac_addr',
  'process',
  'properties',
  'uri',
] as const;

/** Valid action → targets per actuator profile. */
export const OPENC2_PROFILE_PAIRS: Record<string, Record<string, readonly string[]>> = {
  slpf: {
    allow: ['ipv4_connection', 'ipv6_connection', 'ipv4_net', 'ipv6_net'],
    deny: ['ipv4_connection', 'ipv6_connection', 'ipv4_net', 'ipv6_net'],
    query: ['features'],
    delete: ['slpf:rule_number'],
    update: ['file'],
  },
  er: {
    query: ['features'],
    deny: ['domain_name', 'file', 'ipv4_net', 'ipv6_net'],
    contain: ['device', 'file'],
    allow: ['domain_name', 'device', 'file', 'ipv4_net', 'ipv6_net'],
    start: ['file'],
    stop: ['device', 'process', 'er:service'],
    restart: ['device', 'process'],
    set: ['ipv4_net', 'ipv6_net', 'er:registry_entry', 'er:account'],
    update: ['file'],
    create: ['er:registry_entry'],
    delete: ['file', 'er:registry_entry', 'er:service'],
    scan: ['device'],
  },
};

/** What is wrong with an OpenC2 command (an empty list when nothing is). */
export function openC2CommandProblems(command: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const action = command['action'];
  const target = command['target'];
  if (typeof action !== 'string' || !(OPENC2_ACTIONS as readonly string[]).includes(action)) problems.push(`action '${String(action)}' is not an OpenC2 1.0 action`);
  const targets = typeof target === 'object' && target !== null && !Array.isArray(target) ? Object.keys(target) : [];
  if (targets.length !== 1) problems.push('target must name exactly one target type');
  const targetName = targets[0] ?? '';
  const profiled = /^([a-z][a-z0-9_]*):[a-z][a-z0-9_]*$/.exec(targetName);
  if (targetName !== '' && !profiled && !(OPENC2_TARGETS as readonly string[]).includes(targetName)) problems.push(`target '${targetName}' is not an OpenC2 1.0 target`);
  const actuator = command['actuator'];
  const profiles = typeof actuator === 'object' && actuator !== null && !Array.isArray(actuator) ? Object.keys(actuator) : [];
  if (profiled && !profiles.includes(profiled[1]!) && !(profiled[1]! in OPENC2_PROFILE_PAIRS)) problems.push(`target '${targetName}' belongs to no known actuator profile`);
  for (const profile of profiles) {
    const pairs = OPENC2_PROFILE_PAIRS[profile];
    if (!pairs) continue;
    if (typeof action === 'string' && targetName !== '' && !(pairs[action] ?? []).includes(targetName))
      problems.push(`the ${profile} profile has no command '${action} ${targetName}'`);
  }
  return problems;
}
