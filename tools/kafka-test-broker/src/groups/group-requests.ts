import { type ErrorCode } from '../protocol/error-code';

/** Request and result shapes of the group coordinator, independent of protocol versions. */

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  readonly clientId: string;
  readonly clientHost: string;
  /** JoinGroup v4+ (KIP-394): a member without an id first gets one with MEMBER_ID_REQUIRED and joins again. */
  readonly requireKnownMemberId: boolean;
}

export interface JoinGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinGroupResult {
  readonly errorCode: ErrorCode;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Every member's metadata for the chosen protocol, for the leader only (it computes the assignment). */
  readonly members: readonly JoinGroupMember[];
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  /** Sent by the leader only: assignment per member id. */
  readonly assignments: ReadonlyMap<string, Buffer>;
}

export interface SyncGroupResult {
  readonly errorCode: ErrorCode;
  readonly assignment: Buffer;
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
}

export interface LeavingMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface LeaveGroupMemberResult extends LeavingMember {
  readonly errorCode: ErrorCode;
}

export interface PartitionOffsetCommit {
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

export interface TopicOffsetCommit {
  readonly topic: string;
  readonly partitions: readonly PartitionOffsetCommit[];
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** -1 with an empty member id: a commit from outside group management (admin setOffsets, manual consumers). */
  readonly generationId: number;
  readonly memberId: string;
  readonly topics: readonly TopicOffsetCommit[];
}

export interface TopicPartitionErrors {
  readonly topic: string;
  readonly partitions: readonly { readonly partition: number; readonly errorCode: ErrorCode }[];
}

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface FetchedOffset {
  readonly partition: number;
  /** -1 when the group has committed nothing for the partition. */
  readonly offset: number;
  readonly metadata: string;
}

export interface TopicFetchedOffsets {
  readonly topic: string;
  readonly partitions: readonly FetchedOffset[];
}

export interface GroupMemberDescription {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly metadata: Buffer;
  readonly assignment: Buffer;
}

export interface GroupDescription {
  readonly groupId: string;
  /** Kafka's names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead (unknown group). */
  readonly state: string;
  readonly protocolType: string;
  readonly protocolName: string;
  readonly members: readonly GroupMemberDescription[];
}

export interface GroupListing {
  readonly groupId: string;
  readonly protocolType: string;
}
