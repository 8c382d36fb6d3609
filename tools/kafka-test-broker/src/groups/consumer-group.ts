import { type GroupProtocol, type JoinGroupResult, type SyncGroupResult } from './group-requests';

type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export const NO_BYTES = Buffer.alloc(0);

interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string;
}

/** A member of a consumer group, with the JoinGroup / SyncGroup request it may be parked on. */
export class GroupMember {
  /** Set while the member's JoinGroup waits for the rebalance barrier. */
  joinWaiter: ((result: JoinGroupResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  syncWaiter: ((result: SyncGroupResult) => void) | null = null;
  assignment: Buffer = NO_BYTES;
  sessionTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocols: readonly GroupProtocol[],
  ) {}

  /** Alive as far as the session timeout goes: parked requests count as a heartbeat, as in Kafka. */
  get isAwaitingResponse(): boolean {
    return this.joinWaiter !== null || this.syncWaiter !== null;
  }

  metadataFor(protocolName: string): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? NO_BYTES;
  }

  hasSameProtocols(protocols: readonly GroupProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata))
    );
  }
}

/** Membership, generation and committed offsets of one group (Kafka's GroupMetadata). */
export class ConsumerGroup {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** In join order: the first member becomes leader when there is none. */
  readonly members = new Map<string, GroupMember>();
  /** Member ids handed out with MEMBER_ID_REQUIRED whose second JoinGroup has not arrived yet. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  joinTimer: NodeJS.Timeout | null = null;
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();

  constructor(readonly groupId: string) {}

  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }

  /** Every member has sent its JoinGroup for this rebalance and no new member is still to come back with its id. */
  get hasAllMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const member of this.members.values()) if (member.joinWaiter === null) return false;
    return true;
  }

  get rebalanceTimeoutMs(): number {
    let timeout = 0;
    for (const member of this.members.values()) timeout = Math.max(timeout, member.rebalanceTimeoutMs);
    return timeout;
  }

  /** Kafka's vote: among protocols every member supports, each member votes for its most preferred one. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.protocols.find((p) => candidates.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let winner = '';
    let most = -1;
    for (const [name, count] of votes) {
      if (count > most) {
        winner = name;
        most = count;
      }
    }
    return winner;
  }

  private candidateProtocols(): Set<string> {
    const [first, ...others] = [...this.members.values()];
    if (!first) return new Set<string>();
    return new Set(
      first.protocols
        .map((p) => p.name)
        .filter((name) => others.every((m) => m.protocols.some((p) => p.name === name))),
    );
  }
}
