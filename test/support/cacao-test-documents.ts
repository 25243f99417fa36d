/** CACAO documents shared by the CACAO tests (test support, not shipped behaviour). */

export type CacaoDoc = Record<string, unknown> & { workflow: Record<string, Record<string, unknown>> };

export const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const ref = (type: string, n: number): string => `${type}--${uuid(n)}`;
export const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

/** Every step type, written the way third-party CACAO producers write them. */
export function containHost(): CacaoDoc {
  const analyst = ref('individual', 1);
  return {
    type: 'playbook',
    spec_version: 'cacao-2.0',
    id: ref('playbook', 1),
    name: 'Contain Host!',
    description: 'Contain a host the EDR flags.',
    created_by: ref('identity', 1),
    created: '2024-01-01T00:00:00.000Z',
    modified: '2024-02-01T00:00:00.000Z',
    playbook_variables: {
      __host__: { type: 'ipv4-addr', external: true, description: 'Host to contain', value: '192.0.2.7' },
      __verdict__: { type: 'string', value: 'unknown' },
      __tries__: { type: 'integer', value: '0' },
    },
    workflow_start: ref('start', 1),
    workflow_exception: ref('action', 99),
    workflow: {
      [ref('start', 1)]: { type: 'start', on_completion: ref('action', 1) },
      [ref('action', 1)]: {
        type: 'action',
        name: 'Look up host',
        commands: [{ type: 'http-api', command: 'GET /api/hosts/__host__:value HTTP/1.1', headers: { Authorization: ['Bearer x'] } }],
        targets: [ref('http-api', 1)],
        agent: analyst,
        out_args: ['__verdict__'],
        on_success: ref('if-condition', 1),
        on_failure: ref('end', 9),
      },
      [ref('if-condition', 1)]: {
        type: 'if-condition',
        name: 'Is malicious?',
        condition: "__verdict__:value = 'malicious' AND __tries__:value < 3",
        on_true: ref('parallel', 1),
        on_false: ref('action', 2),
        on_completion: ref('switch-condition', 1),
      },
      [ref('parallel', 1)]: { type: 'parallel', name: 'Contain', next_steps: [ref('action', 3), ref('action', 4)], on_completion: ref('end', 2) },
      [ref('action', 3)]: {
        type: 'action',
        name: 'Isolate',
        commands: [{ type: 'openc2-http', command: 'POST /openc2 HTTP/1.1', content_b64: b64({ action: 'deny', target: { ipv4_net: '__host__:value' } }) }],
        targets: [ref('http-api', 2)],
        agent: analyst,
        on_completion: ref('end', 3),
      },
      [ref('action', 4)]: {
        type: 'action',
        name: 'Tell owner',
        commands: [
          { type: 'manual', command: 'Call the owner of __host__:value' },
          { type: 'bash', command: 'logger contained' },
        ],
        agent: analyst,
        timeout: 3_600_000,
        on_completion: ref('end', 4),
      },
      [ref('end', 2)]: { type: 'end' },
      [ref('end', 3)]: { type: 'end' },
      [ref('end', 4)]: { type: 'end' },
      [ref('action', 2)]: {
        type: 'action',
        name: 'Note benign',
        commands: [{ type: 'manual', command: 'Note that the host is benign' }],
        agent: analyst,
        on_completion: ref('end', 5),
      },
      [ref('end', 5)]: { type: 'end' },
      [ref('switch-condition', 1)]: {
        type: 'switch-condition',
        name: 'Route by verdict',
        switch: '__verdict__:value',
        cases: { malicious: ref('while-condition', 1), default: ref('end', 6) },
        on_completion: ref('end', 7),
      },
      [ref('while-condition', 1)]: { type: 'while-condition', name: 'Retry scan', condition: '__tries__:value < 3', on_true: ref('action', 5), on_completion: ref('end', 8) },
      [ref('action', 5)]: {
        type: 'action',
        name: 'Scan',
        commands: [{ type: 'http-api', url: 'https://scanner.example.org/scan', http_method: 'post', content: '{"host":"__host__:value"}' }],
        agent: analyst,
        on_completion: ref('end', 10),
      },
      [ref('end', 6)]: { type: 'end', name: 'No more' },
      [ref('end', 7)]: { type: 'end', name: 'Finished' },
      [ref('end', 8)]: { type: 'end' },
      [ref('end', 9)]: { type: 'end', name: 'Lookup failed' },
      [ref('end', 10)]: { type: 'end' },
      [ref('action', 99)]: { type: 'action', name: 'Escalate', commands: [{ type: 'manual', command: 'Escalate to tier 2' }], agent: analyst, on_completion: ref('end', 11) },
      [ref('end', 11)]: { type: 'end', name: 'Escalated' },
    },
    agent_definitions: { [analyst]: { type: 'individual', name: 'Analyst' } },
    target_definitions: {
      [ref('http-api', 1)]: { type: 'http-api', name: 'CMDB', address: { dname: ['cmdb.example.org'] }, port: '443' },
      [ref('http-api', 2)]: { type: 'http-api', name: 'Firewall', address: { ipv4: ['192.0.2.10'] }, port: '8080' },
    },
  };
}
