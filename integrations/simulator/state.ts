/**
 * The simulator's vendor-side state: what a real vendor would remember between calls (a contained
 * host stays contained, a suspended user stays suspended, a blocked address stays in its group).
 * Every collection is bounded; the oldest entries are dropped first.
 */

export const STATE_CAP = 10_000;

/** A Map that forgets its oldest entries beyond `cap`. Re-setting a key makes it the newest. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly cap: number = STATE_CAP) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.has(key)) super.delete(key);
    super.set(key, value);
    while (this.size > this.cap) {
      const oldest = this.keys().next();
      if (oldest.done) break;
      super.delete(oldest.value);
    }
    return this;
  }
}

export interface IssuedToken {
  vendor: string;
  /** The scope / audience the token was issued for. */
  audience: string;
  clientId: string;
  expiresAt: number;
}

export interface HistoryEntry {
  action: string;
  at: string;
}

export interface FalconDevice {
  device_id: string;
  hostname: string;
  status: 'normal' | 'contained';
  history: HistoryEntry[];
}

export interface DefenderMachine {
  id: string;
  computerDnsName: string;
  isolated: boolean;
  isolationType: string | null;
  history: HistoryEntry[];
}

export interface DefenderMachineAction {
  id: string;
  type: 'Isolate' | 'Unisolate';
  machineId: string;
  requestorComment: string;
  status: string;
  creationDateTimeUtc: string;
}

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  signInSessionsValidFromDateTime: string | null;
  revocations: number;
  history: HistoryEntry[];
}

export interface OktaUser {
  id: string;
  login: string;
  status: 'ACTIVE' | 'SUSPENDED';
  sessionsCleared: number;
  history: HistoryEntry[];
}

export interface PanosAddress {
  name: string;
  location: string;
  ipNetmask: string;
  description: string;
}

export interface PanosGroup {
  name: string;
  location: string;
  members: string[];
  description: string;
}

export interface PanosCommit {
  jobId: number;
  at: string;
}

export interface Openc2Rule {
  ruleNumber: number;
  action: 'deny' | 'allow';
  ipv4Net: string;
  direction: string;
  createdAt: string;
  expiresAt: number | null;
  requestId: string | null;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  threadTs: string | null;
  approvalToken: string | null;
}

export interface PagerDutyAlert {
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  severity: string;
  source: string;
  events: number;
}

export interface JiraComment {
  id: string;
  body: unknown;
  created: string;
}

export interface JiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  comments: JiraComment[];
  created: string;
}

export interface SmtpMessage {
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  size: number;
  at: string;
}

export const PANOS_PLACEHOLDER = { name: 'vigil-placeholder', ipNetmask: '192.0.2.255/32' } as const;
export const PANOS_DEFAULT_LOCATION = 'vsys:vsys1';
export const PANOS_DEFAULT_GROUP = 'vigil-blocked';

export class SimulatorState {
  tokens = new BoundedMap<string, IssuedToken>();
  falconDevices = new BoundedMap<string, FalconDevice>();
  defenderMachines = new BoundedMap<string, DefenderMachine>();
  defenderActions = new BoundedMap<string, DefenderMachineAction>();
  graphUsers = new BoundedMap<string, GraphUser>();
  oktaUsers = new BoundedMap<string, OktaUser>();
  panosAddresses = new BoundedMap<string, PanosAddress>();
  panosGroups = new BoundedMap<string, PanosGroup>();
  panosCommits = new BoundedMap<number, PanosCommit>(1_000);
  panosPendingChanges = false;
  openc2Rules = new BoundedMap<number, Openc2Rule>();
  openc2NextRule = 1000;
  slackMessages = new BoundedMap<string, SlackMessage>(1_000);
  pagerdutyAlerts = new BoundedMap<string, PagerDutyAlert>();
  jiraIssues = new BoundedMap<string, JiraIssue>();
  jiraCounters = new BoundedMap<string, number>();
  jiraNextId = 10000;
  mispSightings = new BoundedMap<string, number>();
  smtpMessages = new BoundedMap<string, SmtpMessage>(1_000);
  sequence = 0;

  constructor() {
    this.seed();
  }

  /** Vendor configuration a fresh tenant would already have (the PAN-OS blocked group). */
  private seed(): void {
    this.panosAddresses.set(`${PANOS_DEFAULT_LOCATION}|${PANOS_PLACEHOLDER.name}`, {
      name: PANOS_PLACEHOLDER.name,
      location: PANOS_DEFAULT_LOCATION,
      ipNetmask: PANOS_PLACEHOLDER.ipNetmask,
      description: 'Placeholder so the static group is never empty (TEST-NET address)',
    });
    this.panosGroups.set(`${PANOS_DEFAULT_LOCATION}|${PANOS_DEFAULT_GROUP}`, {
      name: PANOS_DEFAULT_GROUP,
      location: PANOS_DEFAULT_LOCATION,
      members: [PANOS_PLACEHOLDER.name],
      description: 'Addresses blocked by Vigil (referenced by a deny rule)',
    });
  }

  reset(): void {
    const fresh = new SimulatorState();
    Object.assign(this, fresh);
  }

  nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  /** Addresses currently in the PAN-OS blocked group, as `ip-netmask` values. */
  panosBlocked(): string[] {
    const out: string[] = [];
    for (const group of this.panosGroups.values()) {
      if (group.name !== PANOS_DEFAULT_GROUP) continue;
      for (const member of group.members) {
        const address = this.panosAddresses.get(`${group.location}|${member}`);
        if (address && member !== PANOS_PLACEHOLDER.name) out.push(address.ipNetmask);
      }
    }
    return out;
  }

  /** JSON view for `GET /_simulator/state`. */
  snapshot(): Record<string, unknown> {
    const values = <V>(m: Map<unknown, V>): V[] => [...m.values()];
    return {
      crowdstrike: { devices: values(this.falconDevices) },
      defender: { machines: values(this.defenderMachines), machineActions: values(this.defenderActions) },
      graph: { users: values(this.graphUsers) },
      okta: { users: values(this.oktaUsers) },
      panos: {
        addresses: values(this.panosAddresses),
        groups: values(this.panosGroups),
        blockedIps: this.panosBlocked(),
        pendingChanges: this.panosPendingChanges,
        commits: values(this.panosCommits),
      },
      openc2: { rules: values(this.openc2Rules) },
      slack: { messages: values(this.slackMessages) },
      pagerduty: { alerts: values(this.pagerdutyAlerts) },
      jira: { issues: values(this.jiraIssues) },
      misp: { sightings: Object.fromEntries(this.mispSightings) },
      smtp: { messages: values(this.smtpMessages) },
    };
  }
}
