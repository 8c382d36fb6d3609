import { ErrorCode } from '../protocol/error-code';
import { TopicStore } from '../storage/topic-store';
import { GroupCoordinator } from './group-coordinator';
import { type JoinGroupRequest, type JoinGroupResult } from './group-requests';

const SESSION_MS = 10_000;
const REBALANCE_MS = 20_000;

function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'orders',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from(overrides.clientId ?? 'client') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** Tracks whether a parked request has been answered. */
function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise };
  void promise.then(() => (state.settled = true));
  return state;
}

describe(GroupCoordinator.name, () => {
  let coordinator: GroupCoordinator;

  beforeEach(() => {
    jest.useFakeTimers();
    const topics = new TopicStore();
    topics.create('orders-topic', 2);
    coordinator = new GroupCoordinator(topics);
  });

  afterEach(() => {
    coordinator.shutdown();
    jest.useRealTimers();
  });

  const flush = () => jest.advanceTimersByTimeAsync(0);

  /** Joins a member and, if it leads, syncs an assignment naming each member: the group ends Stable. */
  async function joinAndSync(clientId: string): Promise<JoinGroupResult> {
    const joined = await coordinator.join(joinRequest({ clientId }));
    await syncAsLeader(joined);
    return joined;
  }

  async function syncAsLeader(leader: JoinGroupResult) {
    const assignments = new Map(leader.members.map((m) => [m.memberId, Buffer.from(`for-${m.memberId}`)]));
    return coordinator.sync({
      groupId: 'orders',
      generationId: leader.generationId,
      memberId: leader.memberId,
      assignments,
    });
  }

  const heartbeat = (member: JoinGroupResult, generationId = member.generationId) =>
    coordinator.heartbeat({ groupId: 'orders', generationId, memberId: member.memberId });

  const rejoin = (member: JoinGroupResult, clientId: string) =>
    coordinator.join(joinRequest({ clientId, memberId: member.memberId }));

  it('makes the first member the leader of generation 1 and gives it every member’s metadata', async () => {
    const joined = await coordinator.join(joinRequest({ clientId: 'first' }));

    expect(joined).toMatchObject({ errorCode: ErrorCode.None, generationId: 1, protocolName: 'RoundRobinAssigner' });
    expect(joined.leaderId).toBe(joined.memberId);
    expect(joined.members.map((m) => String(m.metadata))).toEqual(['first']);
  });

  it('holds a new member’s JoinGroup until every known member has rejoined (the rebalance barrier)', async () => {
    const first = await joinAndSync('first');

    const second = track(coordinator.join(joinRequest({ clientId: 'second' })));
    await flush();
    expect(second.settled).toBe(false);
    expect(heartbeat(first)).toBe(ErrorCode.RebalanceInProgress);

    const firstAgain = await rejoin(first, 'first');
    const secondJoined = await second.promise;

    expect(firstAgain).toMatchObject({ generationId: 2, leaderId: first.memberId });
    expect(firstAgain.members.map((m) => String(m.metadata))).toEqual(['first', 'second']);
    expect(secondJoined).toMatchObject({ generationId: 2, leaderId: first.memberId, members: [] });
  });

  it('parks followers’ SyncGroup until the leader sends the assignment', async () => {
    const first = await joinAndSync('first');
    const second = coordinator.join(joinRequest({ clientId: 'second' }));
    const leader = await rejoin(first, 'first');
    const follower = await second;

    const followerSync = track(
      coordinator.sync({ groupId: 'orders', generationId: 2, memberId: follower.memberId, assignments: new Map() }),
    );
    await flush();
    expect(followerSync.settled).toBe(false);
    const leaderSync = await syncAsLeader(leader);

    expect(String(leaderSync.assignment)).toBe(`for-${leader.memberId}`);
    expect(String((await followerSync.promise).assignment)).toBe(`for-${follower.memberId}`);
  });

  it('drops the members that do not rejoin within the rebalance timeout', async () => {
    const first = await joinAndSync('first');
    const second = track(coordinator.join(joinRequest({ clientId: 'second' })));

    await jest.advanceTimersByTimeAsync(REBALANCE_MS);

    expect(second.settled).toBe(true);
    const secondJoined = await second.promise;
    expect(secondJoined).toMatchObject({ generationId: 2, leaderId: secondJoined.memberId });
    expect(secondJoined.members.map((m) => m.memberId)).toEqual([secondJoined.memberId]);
    expect(heartbeat(first, 2)).toBe(ErrorCode.UnknownMemberId);
  });

  it('evicts a member that stops heartbeating and rebalances the others', async () => {
    const first = await joinAndSync('first');
    const second = coordinator.join(joinRequest({ clientId: 'second' }));
    const leader = await rejoin(first, 'first');
    const follower = await second;
    await syncAsLeader(leader);

    await jest.advanceTimersByTimeAsync(SESSION_MS / 2);
    expect(heartbeat(follower)).toBe(ErrorCode.None);
    await jest.advanceTimersByTimeAsync(SESSION_MS / 2);

    expect(heartbeat(follower)).toBe(ErrorCode.RebalanceInProgress);
    const survivor = await rejoin(follower, 'second');
    expect(survivor).toMatchObject({ generationId: 3, leaderId: follower.memberId });
    expect(survivor.members.map((m) => m.memberId)).toEqual([follower.memberId]);
  });

  it('counts a parked JoinGroup as alive past the member’s session timeout', async () => {
    const first = await joinAndSync('first');
    const second = track(coordinator.join(joinRequest({ clientId: 'second', sessionTimeoutMs: 1_000 })));

    await jest.advanceTimersByTimeAsync(5_000);
    expect(heartbeat(first)).toBe(ErrorCode.RebalanceInProgress);
    const leader = await rejoin(first, 'first');

    expect(second.settled).toBe(true);
    expect(leader.members).toHaveLength(2);
  });

  it('moves the leadership to a remaining member when the leader leaves', async () => {
    const first = await joinAndSync('first');
    const second = coordinator.join(joinRequest({ clientId: 'second' }));
    const leader = await rejoin(first, 'first');
    const follower = await second;
    await syncAsLeader(leader);

    expect(coordinator.leave('orders', [{ memberId: leader.memberId, groupInstanceId: null }])).toEqual([
      { memberId: leader.memberId, groupInstanceId: null, errorCode: ErrorCode.None },
    ]);

    expect(heartbeat(follower)).toBe(ErrorCode.RebalanceInProgress);
    await expect(rejoin(follower, 'second')).resolves.toMatchObject({ generationId: 3, leaderId: follower.memberId });
  });

  it('empties the group when its last member leaves but keeps its committed offsets', async () => {
    const member = await joinAndSync('only');
    coordinator.commitOffsets({
      groupId: 'orders',
      generationId: member.generationId,
      memberId: member.memberId,
      topics: [{ topic: 'orders-topic', partitions: [{ partition: 1, offset: 12, metadata: null }] }],
    });

    coordinator.leave('orders', [{ memberId: member.memberId, groupInstanceId: null }]);

    expect(coordinator.describe('orders')).toMatchObject({ state: 'Empty', members: [] });
    expect(coordinator.fetchOffsets('orders', null)).toEqual([
      { topic: 'orders-topic', partitions: [{ partition: 1, offset: 12, metadata: '' }] },
    ]);
  });

  describe('member ids required first (JoinGroup v4+)', () => {
    it('hands out a member id with MEMBER_ID_REQUIRED and admits the member when it joins with it', async () => {
      const first = await coordinator.join(joinRequest({ requireKnownMemberId: true, clientId: 'svc' }));

      expect(first).toMatchObject({ errorCode: ErrorCode.MemberIdRequired, memberId: expect.stringMatching(/^svc-/) });
      await expect(
        coordinator.join(joinRequest({ requireKnownMemberId: true, memberId: first.memberId })),
      ).resolves.toMatchObject({
        errorCode: ErrorCode.None,
        generationId: 1,
        memberId: first.memberId,
      });
    });

    it('forgets a handed-out member id that does not come back within the session timeout', async () => {
      const first = await coordinator.join(joinRequest({ requireKnownMemberId: true }));

      await jest.advanceTimersByTimeAsync(SESSION_MS);

      await expect(
        coordinator.join(joinRequest({ requireKnownMemberId: true, memberId: first.memberId })),
      ).resolves.toMatchObject({
        errorCode: ErrorCode.UnknownMemberId,
      });
    });
  });

  it('refuses a member whose protocol type or protocols the group does not share', async () => {
    await joinAndSync('first');

    const otherType = await coordinator.join(joinRequest({ protocolType: 'connect' }));
    const otherAssigner = await coordinator.join(
      joinRequest({ protocols: [{ name: 'StickyAssigner', metadata: Buffer.alloc(0) }] }),
    );

    expect([otherType.errorCode, otherAssigner.errorCode]).toEqual([
      ErrorCode.InconsistentGroupProtocol,
      ErrorCode.InconsistentGroupProtocol,
    ]);
  });

  it('refuses a SyncGroup from another generation', async () => {
    const member = await coordinator.join(joinRequest());

    await expect(
      coordinator.sync({
        groupId: 'orders',
        generationId: member.generationId + 1,
        memberId: member.memberId,
        assignments: new Map(),
      }),
    ).resolves.toMatchObject({ errorCode: ErrorCode.IllegalGeneration });
  });

  describe('offset commits', () => {
    const commit = (generationId: number, memberId: string) =>
      coordinator.commitOffsets({
        groupId: 'orders',
        generationId,
        memberId,
        topics: [{ topic: 'orders-topic', partitions: [{ partition: 0, offset: 5, metadata: 'note' }] }],
      })[0].partitions[0].errorCode;

    it('accepts the current generation while a rebalance is prepared, and refuses it between join and sync', async () => {
      const first = await joinAndSync('first');
      const second = coordinator.join(joinRequest({ clientId: 'second' }));

      expect(commit(first.generationId, first.memberId)).toBe(ErrorCode.None);
      const leader = await rejoin(first, 'first');
      await second;
      expect(commit(leader.generationId, leader.memberId)).toBe(ErrorCode.RebalanceInProgress);
      await syncAsLeader(leader);
      expect(commit(leader.generationId, leader.memberId)).toBe(ErrorCode.None);
      expect(coordinator.fetchOffsets('orders', [{ topic: 'orders-topic', partitions: [0] }])).toEqual([
        { topic: 'orders-topic', partitions: [{ partition: 0, offset: 5, metadata: 'note' }] },
      ]);
    });

    it('accepts commits without a generation only while the group has no members', async () => {
      expect(commit(-1, '')).toBe(ErrorCode.None);
      await joinAndSync('first');

      expect(commit(-1, '')).toBe(ErrorCode.UnknownMemberId);
    });
  });
});
