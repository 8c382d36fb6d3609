import { randomUUID } from 'node:crypto';
import { type BrokerLogger, silentLogger } from '../broker-logger';
import { ErrorCode } from '../protocol/error-code';
import { type TopicStore } from '../storage/topic-store';
import { ConsumerGroup, GroupMember, NO_BYTES } from './consumer-group';
import {
  type FetchedOffset,
  type GroupDescription,
  type GroupListing,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResult,
  type LeaveGroupMemberResult,
  type LeavingMember,
  type OffsetCommitRequest,
  type SyncGroupRequest,
  type SyncGroupResult,
  type TopicFetchedOffsets,
  type TopicPartitionErrors,
  type TopicPartitions,
} from './group-requests';

const MIN_SESSION_TIMEOUT_MS = 100;
const MAX_SESSION_TIMEOUT_MS = 30 * 60_000;
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The group coordinator of a single-node cluster, after Kafka's GroupCoordinator: the
 * Empty → PreparingRebalance → CompletingRebalance → Stable state machine with a real rebalance barrier.
 *
 * - A rebalance starts when a member joins, leaves, changes its protocols, or the leader rejoins. Members learn
 *   of it through REBALANCE_IN_PROGRESS on Heartbeat and must send JoinGroup again.
 * - JoinGroup is parked until every known member has rejoined, or until the rebalance timeout (the largest of
 *   the members'), when the members that did not rejoin are dropped. Then the generation increases, a protocol
 *   is chosen, and each member gets its answer; the leader's includes every member's metadata.
 * - SyncGroup is parked until the leader sends the assignment.
 * - A member that neither heartbeats nor has a request parked within its session timeout is evicted, which
 *   starts a rebalance.
 * - Groups (members gone or not, with their committed offsets) live until DeleteGroups; there is no retention.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();

  constructor(
    private readonly topics: TopicStore,
    private readonly logger: BrokerLogger = silentLogger,
  ) {}

  join(request: JoinGroupRequest): Promise<JoinGroupResult> {
    if (request.groupId === '') return Promise.resolve(joinError(request.memberId, ErrorCode.InvalidGroupId));
    if (request.sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || request.sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
      return Promise.resolve(joinError(request.memberId, ErrorCode.InvalidSessionTimeout));
    }
    const existing = this.groups.get(request.groupId);
    if (!existing && request.memberId !== '')
      return Promise.resolve(joinError(request.memberId, ErrorCode.UnknownMemberId));
    const group = existing ?? new ConsumerGroup(request.groupId);
    if (!group.supportsProtocols(request.protocolType, request.protocols)) {
      return Promise.resolve(joinError(request.memberId, ErrorCode.InconsistentGroupProtocol));
    }
    if (!existing) this.groups.set(group.groupId, group);
    if (request.memberId === '') return this.joinAsNewMember(group, request);

    const pendingTimer = group.pendingMembers.get(request.memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      group.pendingMembers.delete(request.memberId);
      return this.addMemberAndRebalance(group, request.memberId, request);
    }
    const member = group.members.get(request.memberId);
    if (!member) return Promise.resolve(joinError(request.memberId, ErrorCode.UnknownMemberId));
    return this.rejoin(group, member, request);
  }

  sync(request: SyncGroupRequest): Promise<SyncGroupResult> {
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (!group || !member) return Promise.resolve(syncError(ErrorCode.UnknownMemberId));
    if (request.generationId !== group.generationId) return Promise.resolve(syncError(ErrorCode.IllegalGeneration));

    switch (group.state) {
      case 'Empty':
        return Promise.resolve(syncError(ErrorCode.UnknownMemberId));
      case 'PreparingRebalance':
        return Promise.resolve(syncError(ErrorCode.RebalanceInProgress));
      case 'Stable':
        this.scheduleSessionExpiry(group, member);
        return Promise.resolve({ errorCode: ErrorCode.None, assignment: member.assignment });
      case 'CompletingRebalance': {
        this.scheduleSessionExpiry(group, member);
        const result = new Promise<SyncGroupResult>((resolve) => {
          member.syncWaiter?.(syncError(ErrorCode.RebalanceInProgress));
          member.syncWaiter = resolve;
        });
        if (member.memberId === group.leaderId) this.completeSync(group, request.assignments);
        return result;
      }
    }
  }

  heartbeat(request: HeartbeatRequest): ErrorCode {
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (!group || !member) return ErrorCode.UnknownMemberId;
    if (request.generationId !== group.generationId) return ErrorCode.IllegalGeneration;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UnknownMemberId;
      case 'PreparingRebalance':
        this.scheduleSessionExpiry(group, member);
        return ErrorCode.RebalanceInProgress;
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleSessionExpiry(group, member);
        return ErrorCode.None;
    }
  }

  leave(groupId: string, leaving: readonly LeavingMember[]): LeaveGroupMemberResult[] {
    const group = this.groups.get(groupId);
    return leaving.map((who) => {
      const member = group?.members.get(who.memberId);
      if (!group || !member) return { ...who, errorCode: ErrorCode.UnknownMemberId };
      this.removeMemberAndUpdateGroup(group, member);
      return { ...who, errorCode: ErrorCode.None };
    });
  }

  commitOffsets(request: OffsetCommitRequest): TopicPartitionErrors[] {
    const groupError = this.checkCommitAllowed(request);
    return request.topics.map((topicCommit) => ({
      topic: topicCommit.topic,
      partitions: topicCommit.partitions.map((commit) => {
        if (groupError !== ErrorCode.None) return { partition: commit.partition, errorCode: groupError };
        if (!this.topics.get(topicCommit.topic)?.partition(commit.partition)) {
          return { partition: commit.partition, errorCode: ErrorCode.UnknownTopicOrPartition };
        }
        const group = this.groupForCommit(request.groupId);
        let topicOffsets = group.offsets.get(topicCommit.topic);
        if (!topicOffsets) {
          topicOffsets = new Map();
          group.offsets.set(topicCommit.topic, topicOffsets);
        }
        topicOffsets.set(commit.partition, { offset: commit.offset, metadata: commit.metadata ?? '' });
        return { partition: commit.partition, errorCode: ErrorCode.None };
      }),
    }));
  }

  /** Committed offsets; `topics` null means every topic the group has offsets for (OffsetFetch v2+). */
  fetchOffsets(groupId: string, topics: readonly TopicPartitions[] | null): TopicFetchedOffsets[] {
    const group = this.groups.get(groupId);
    if (topics === null) {
      if (!group) return [];
      return [...group.offsets].map(([topic, partitions]) => ({
        topic,
        partitions: [...partitions].map(([partition, c]) => ({ partition, offset: c.offset, metadata: c.metadata })),
      }));
    }
    return topics.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map((partition): FetchedOffset => {
        const committed = group?.offsets.get(topic)?.get(partition);
        return { partition, offset: committed?.offset ?? -1, metadata: committed?.metadata ?? '' };
      }),
    }));
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (!group) return { groupId, state: 'Dead', protocolType: '', protocolName: '', members: [] };
    const stable = group.state === 'Stable';
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable && group.protocolName ? m.metadataFor(group.protocolName) : NO_BYTES,
        assignment: stable ? m.assignment : NO_BYTES,
      })),
    };
  }

  list(): GroupListing[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' }));
  }

  delete(groupId: string): ErrorCode {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.GroupIdNotFound;
    if (group.members.size > 0 || group.pendingMembers.size > 0) return ErrorCode.NonEmptyGroup;
    this.groups.delete(groupId);
    return ErrorCode.None;
  }

  /** Drops the committed offsets of a deleted topic. */
  forgetTopic(topic: string): void {
    for (const group of this.groups.values()) group.offsets.delete(topic);
  }

  /** Stops every timer and answers every parked request: the broker is going away. */
  shutdown(): void {
    for (const group of this.groups.values()) {
      clearTimer(group.joinTimer);
      for (const timer of group.pendingMembers.values()) clearTimeout(timer);
      for (const member of group.members.values()) {
        clearTimer(member.sessionTimer);
        member.joinWaiter?.(joinError(member.memberId, ErrorCode.CoordinatorNotAvailable));
        member.syncWaiter?.(syncError(ErrorCode.CoordinatorNotAvailable));
        member.joinWaiter = null;
        member.syncWaiter = null;
      }
    }
    this.groups.clear();
  }

  private joinAsNewMember(group: ConsumerGroup, request: JoinGroupRequest): Promise<JoinGroupResult> {
    const memberId = `${request.clientId}-${randomUUID()}`;
    if (!request.requireKnownMemberId) return this.addMemberAndRebalance(group, memberId, request);
    const expire = () => {
      group.pendingMembers.delete(memberId);
      this.tryCompleteJoin(group);
    };
    group.pendingMembers.set(memberId, startTimer(request.sessionTimeoutMs, expire));
    return Promise.resolve(joinError(memberId, ErrorCode.MemberIdRequired));
  }

  private addMemberAndRebalance(
    group: ConsumerGroup,
    memberId: string,
    request: JoinGroupRequest,
  ): Promise<JoinGroupResult> {
    const member = new GroupMember(
      memberId,
      request.groupInstanceId,
      request.clientId,
      request.clientHost,
      request.sessionTimeoutMs,
      rebalanceTimeoutOf(request),
      request.protocols,
    );
    const result = this.parkJoin(member);
    group.members.set(memberId, member);
    group.protocolType ??= request.protocolType;
    group.leaderId ??= memberId;
    this.prepareRebalance(group);
    this.tryCompleteJoin(group);
    return result;
  }

  private rejoin(group: ConsumerGroup, member: GroupMember, request: JoinGroupRequest): Promise<JoinGroupResult> {
    const unchanged = member.hasSameProtocols(request.protocols);
    const answerWithCurrentGeneration =
      (group.state === 'CompletingRebalance' && unchanged) ||
      (group.state === 'Stable' && unchanged && member.memberId !== group.leaderId);
    if (group.state === 'Empty') return Promise.resolve(joinError(member.memberId, ErrorCode.UnknownMemberId));

    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = rebalanceTimeoutOf(request);
    if (answerWithCurrentGeneration) {
      this.scheduleSessionExpiry(group, member);
      return Promise.resolve(this.joinResultFor(group, member));
    }
    member.protocols = request.protocols;
    const result = this.parkJoin(member);
    this.prepareRebalance(group);
    this.tryCompleteJoin(group);
    return result;
  }

  private parkJoin(member: GroupMember): Promise<JoinGroupResult> {
    return new Promise<JoinGroupResult>((resolve) => {
      member.joinWaiter?.(joinError(member.memberId, ErrorCode.RebalanceInProgress));
      member.joinWaiter = resolve;
    });
  }

  private prepareRebalance(group: ConsumerGroup): void {
    if (group.state === 'PreparingRebalance') return;
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.assignment = NO_BYTES;
        const waiter = member.syncWaiter;
        member.syncWaiter = null;
        waiter?.(syncError(ErrorCode.RebalanceInProgress));
      }
    }
    group.state = 'PreparingRebalance';
    clearTimer(group.joinTimer);
    group.joinTimer = startTimer(group.rebalanceTimeoutMs, () => this.completeJoin(group));
  }

  private tryCompleteJoin(group: ConsumerGroup): void {
    if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined) this.completeJoin(group);
  }

  /** The barrier is passed (everyone rejoined) or timed out (the rest are dropped): start the next generation. */
  private completeJoin(group: ConsumerGroup): void {
    if (group.state !== 'PreparingRebalance') return;
    clearTimer(group.joinTimer);
    group.joinTimer = null;
    for (const member of [...group.members.values()]) {
      if (member.joinWaiter === null) this.removeMember(group, member);
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      group.protocolType = null;
      group.leaderId = null;
      return;
    }
    group.protocolName = group.selectProtocol();
    if (group.leaderId === null || !group.members.has(group.leaderId)) group.leaderId = firstKey(group.members);
    group.state = 'CompletingRebalance';
    this.logger(
      'debug',
      `group ${group.groupId} generation ${group.generationId}: ${group.members.size} member(s), protocol ${group.protocolName}, leader ${group.leaderId}`,
    );
    for (const member of group.members.values()) {
      const waiter = member.joinWaiter;
      member.joinWaiter = null;
      this.scheduleSessionExpiry(group, member);
      waiter?.(this.joinResultFor(group, member));
    }
  }

  private completeSync(group: ConsumerGroup, assignments: ReadonlyMap<string, Buffer>): void {
    for (const member of group.members.values()) member.assignment = assignments.get(member.memberId) ?? NO_BYTES;
    group.state = 'Stable';
    for (const member of group.members.values()) {
      const waiter = member.syncWaiter;
      member.syncWaiter = null;
      waiter?.({ errorCode: ErrorCode.None, assignment: member.assignment });
    }
  }

  private joinResultFor(group: ConsumerGroup, member: GroupMember): JoinGroupResult {
    const protocolName = group.protocolName ?? '';
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: ErrorCode.None,
      generationId: group.generationId,
      protocolName,
      leaderId: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(protocolName),
          }))
        : [],
    };
  }

  private scheduleSessionExpiry(group: ConsumerGroup, member: GroupMember): void {
    clearTimer(member.sessionTimer);
    member.sessionTimer = startTimer(member.sessionTimeoutMs, () => {
      if (group.members.get(member.memberId) !== member) return;
      if (member.isAwaitingResponse) {
        this.scheduleSessionExpiry(group, member);
        return;
      }
      this.logger(
        'info',
        `group ${group.groupId}: member ${member.memberId} evicted after ${member.sessionTimeoutMs} ms without heartbeat`,
      );
      this.removeMemberAndUpdateGroup(group, member);
    });
  }

  private removeMemberAndUpdateGroup(group: ConsumerGroup, member: GroupMember): void {
    this.removeMember(group, member);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(group);
        this.tryCompleteJoin(group);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      case 'Empty':
        break;
    }
  }

  private removeMember(group: ConsumerGroup, member: GroupMember): void {
    clearTimer(member.sessionTimer);
    member.sessionTimer = null;
    const joinWaiter = member.joinWaiter;
    const syncWaiter = member.syncWaiter;
    member.joinWaiter = null;
    member.syncWaiter = null;
    group.members.delete(member.memberId);
    if (group.leaderId === member.memberId) group.leaderId = firstKey(group.members);
    joinWaiter?.(joinError(member.memberId, ErrorCode.UnknownMemberId));
    syncWaiter?.(syncError(ErrorCode.UnknownMemberId));
  }

  private checkCommitAllowed(request: OffsetCommitRequest): ErrorCode {
    if (request.groupId === '') return ErrorCode.InvalidGroupId;
    const group = this.groups.get(request.groupId);
    if (!group) return request.generationId < 0 ? ErrorCode.None : ErrorCode.IllegalGeneration;
    if (request.generationId < 0 && group.state === 'Empty') return ErrorCode.None;
    const member = group.members.get(request.memberId);
    if (!member) return ErrorCode.UnknownMemberId;
    if (request.generationId !== group.generationId) return ErrorCode.IllegalGeneration;
    // Commits of the current generation stay valid while a rebalance is prepared: consumers commit what they
    // processed before rejoining. Between the join and the assignment, they are refused.
    if (group.state === 'CompletingRebalance') return ErrorCode.RebalanceInProgress;
    this.scheduleSessionExpiry(group, member);
    return ErrorCode.None;
  }

  private groupForCommit(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new ConsumerGroup(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }
}

function rebalanceTimeoutOf(request: JoinGroupRequest): number {
  // JoinGroup v0 has no rebalance timeout; Kafka then uses the session timeout.
  return request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs;
}

function joinError(memberId: string, errorCode: ErrorCode): JoinGroupResult {
  return { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] };
}

function syncError(errorCode: ErrorCode): SyncGroupResult {
  return { errorCode, assignment: NO_BYTES };
}

function startTimer(ms: number, callback: () => void): NodeJS.Timeout {
  return setTimeout(callback, Math.min(Math.max(ms, 0), MAX_TIMER_MS)).unref();
}

function clearTimer(timer: NodeJS.Timeout | null): void {
  if (timer) clearTimeout(timer);
}

function firstKey(map: ReadonlyMap<string, unknown>): string | null {
  for (const key of map.keys()) return key;
  return null;
}
