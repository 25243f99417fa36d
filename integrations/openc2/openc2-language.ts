/**
 * The OpenC2 vocabulary Vigil checks commands against before sending them: the actions and targets of
 * the OpenC2 Language Specification 1.0 (oc2ls-v1.0-cs02 §3.3.1.1, §3.3.1.2) and the command matrices
 * of the actuator profiles. SLPF: oc2slpf-v1.0-cs01 Table 2.3-1. ER: the Endpoint Response profile
 * (oasis-tcs/openc2-ap-er, a working draft; its matrix is read from the draft and kept short).
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
    deny: ['ipv4_connection', 'ipv6_connection', 'ipv4_net', 'ipv6_net', 'file'],
    allow: ['ipv4_connection', 'ipv6_connection', 'ipv4_net', 'ipv6_net', 'file'],
    contain: ['device', 'file'],
    start: ['file'],
    stop: ['process', 'er:service'],
    restart: ['device'],
    set: ['er:registry_entry', 'er:account', 'er:service', 'ipv4_net', 'ipv6_net'],
    update: ['file'],
    create: ['er:registry_entry'],
    delete: ['file', 'er:registry_entry', 'er:service'],
    scan: ['file', 'device'],
    investigate: ['device'],
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
