import { CompressionTypes } from 'kafkajs';
import Encoder from 'kafkajs/src/protocol/encoder';
import encodeRequest from 'kafkajs/src/protocol/request';
import { requests } from 'kafkajs/src/protocol/requests';
import kafkajsApiKeys from 'kafkajs/src/protocol/requests/apiKeys';
import { type FrameTransport, KafkajsProtocolClient } from '../test/support/kafkajs-protocol-client';
import { BrokerCore } from './broker-core';
import { type BrokerNode, type TopicDefaults } from './broker-node';
import { ApiKey } from './protocol/api-key';
import { ProtocolError } from './protocol/protocol-error';

const NODE: BrokerNode = { nodeId: 3, host: 'broker.test', port: 19092, clusterId: 'spec-cluster' };
const CONNECTION = { clientHost: '/127.0.0.1' };
const ONE_MIB = 1024 * 1024;

interface Message {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}
interface FetchResponse {
  responses: { topicName: string; partitions: { errorCode: number; highWatermark: string; messages: Message[] }[] }[];
}
interface ProduceResponse {
  topics: { topicName: string; partitions: { errorCode: number; baseOffset: string; logStartOffset?: string }[] }[];
}
interface JoinResponse {
  generationId: number;
  leaderId: string;
  memberId: string;
  groupProtocol: string;
  members: { memberId: string; memberMetadata: Buffer }[];
}

const kafkajsNameOf = (apiKey: ApiKey): string => {
  const name = Object.entries(kafkajsApiKeys).find(([, key]) => key === Number(apiKey))?.[0];
  if (!name) throw new Error(`kafkajs does not know api key ${apiKey}`);
  return name;
};

function startCore(defaults: Partial<TopicDefaults> = {}) {
  const core = new BrokerCore(NODE, { autoCreateTopics: true, defaultPartitions: 1, ...defaults });
  const transport: FrameTransport = (frame) => core.dispatcher.dispatch(frame.subarray(4), CONNECTION);
  return { core, client: new KafkajsProtocolClient(transport), transport };
}

const versions = (core: BrokerCore, apiKey: ApiKey): number[] => {
  const range = core.supportedApis.find((api) => api.apiKey === apiKey);
  if (!range) throw new Error(`api ${apiKey} is not advertised`);
  return Array.from({ length: range.maxVersion - range.minVersion + 1 }, (_, i) => range.minVersion + i);
};

// Ranges are fixed per handler; a throwaway core lists them for it.each.
const probe = new BrokerCore(NODE, { autoCreateTopics: true, defaultPartitions: 1 });
const versionsOf = (apiKey: ApiKey): number[] => versions(probe, apiKey);
probe.shutdown();

const produceArgs = (topic: string, values: string[], extra: Record<string, unknown> = {}) => ({
  acks: -1,
  timeout: 1000,
  topicData: [
    { topic, partitions: [{ partition: 0, messages: values.map((value) => ({ key: `k-${value}`, value })) }] },
  ],
  ...extra,
});

const fetchArgs = (
  topic: string,
  fetchOffset: number,
  options: { maxWaitTime?: number; partitionMaxBytes?: number } = {},
) => ({
  replicaId: -1,
  maxWaitTime: options.maxWaitTime ?? 0,
  minBytes: 1,
  maxBytes: ONE_MIB,
  topics: [
    {
      topic,
      partitions: [{ partition: 0, fetchOffset: String(fetchOffset), maxBytes: options.partitionMaxBytes ?? ONE_MIB }],
    },
  ],
});

const joinArgs = (groupId: string, memberId: string) => ({
  groupId,
  sessionTimeout: 10_000,
  rebalanceTimeout: 10_000,
  memberId,
  protocolType: 'consumer',
  groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from(`metadata-of-${groupId}`) }],
});

/** JoinGroup the way kafkajs does it, including the v4+ MEMBER_ID_REQUIRED round trip. */
async function join(client: KafkajsProtocolClient, version: number, groupId: string): Promise<JoinResponse> {
  try {
    return await client.send<JoinResponse>('JoinGroup', version, joinArgs(groupId, ''));
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'KafkaJSMemberIdRequired') throw error;
    return client.send<JoinResponse>(
      'JoinGroup',
      version,
      joinArgs(groupId, (error as Error & { memberId: string }).memberId),
    );
  }
}

/** A one-member group in Stable state, joined and synced at the highest versions. */
async function stableGroup(client: KafkajsProtocolClient, groupId: string) {
  const joined = await join(client, 5, groupId);
  await client.send('SyncGroup', 3, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupAssignment: [{ memberId: joined.memberId, memberAssignment: Buffer.from('assignment') }],
  });
  return joined;
}

describe(BrokerCore.name, () => {
  let core: BrokerCore;
  let client: KafkajsProtocolClient;
  let transport: FrameTransport;

  beforeEach(() => {
    ({ core, client, transport } = startCore());
  });

  afterEach(() => core.shutdown());

  describe('ApiVersions', () => {
    it.each(versionsOf(ApiKey.ApiVersions))('v%i advertises exactly the implemented ranges', async (version) => {
      const response = await client.send<{ apiVersions: unknown[] }>('ApiVersions', version);

      expect(response.apiVersions).toEqual(core.supportedApis.map((api) => ({ ...api })));
    });

    it('answers a version it does not know with UNSUPPORTED_VERSION, so the client retries lower', async () => {
      const request = {
        apiKey: ApiKey.ApiVersions,
        apiVersion: 3,
        apiName: 'ApiVersions',
        encode: () => Promise.resolve(new Encoder()),
      };
      const frame = (await encodeRequest({ correlationId: 1, clientId: 'future-client', request })).buffer;

      const reply = await transport(frame, true);

      const { response } = requests['ApiVersions'].protocol({ version: 0 })();
      await expect(response.decode(reply!.subarray(8))).rejects.toMatchObject({ type: 'UNSUPPORTED_VERSION' });
    });

    it('advertises only versions kafkajs can speak, so every advertised version is exercised here', () => {
      for (const { apiKey, minVersion, maxVersion } of core.supportedApis) {
        const kafkajsVersions = requests[kafkajsNameOf(apiKey)].versions.map(Number);
        expect(kafkajsVersions).toEqual(expect.arrayContaining([minVersion, maxVersion]));
      }
    });
  });

  describe('request routing', () => {
    const frameFor = async (apiKey: number, apiVersion: number) =>
      (
        await encodeRequest({
          correlationId: 1,
          clientId: 'c',
          request: { apiKey, apiVersion, apiName: 'X', encode: () => Promise.resolve(new Encoder()) },
        })
      ).buffer;

    it('refuses an API it does not implement, which closes the connection', async () => {
      await expect(transport(await frameFor(57, 0), true)).rejects.toThrow(ProtocolError);
    });

    it('refuses a version it does not advertise', async () => {
      await expect(transport(await frameFor(ApiKey.Produce, 2), true)).rejects.toThrow(ProtocolError);
    });

    it('refuses a truncated request', async () => {
      await expect(transport(await frameFor(ApiKey.Metadata, 6), true)).rejects.toThrow(ProtocolError);
    });
  });

  describe('Metadata', () => {
    it.each(versionsOf(ApiKey.Metadata))(
      'v%i auto-creates a named topic and describes this broker as leader and controller',
      async (version) => {
        const topic = `metadata.v${version}`;
        const response = await client.send<Record<string, unknown>>('Metadata', version, {
          topics: [topic],
          allowAutoTopicCreation: true,
        });

        expect(response).toMatchObject({
          brokers: [{ nodeId: 3, host: 'broker.test', port: 19092 }],
          topicMetadata: [
            {
              topicErrorCode: 0,
              topic,
              partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 3, replicas: [3], isr: [3] }],
            },
          ],
        });
        if (version >= 1) expect(response['controllerId']).toBe(3);
        if (version >= 2) expect(response['clusterId']).toBe('spec-cluster');
      },
    );

    it('lists every topic when none is named', async () => {
      await client.send('CreateTopics', 3, {
        topics: [{ topic: 'listed.a' }, { topic: 'listed.b', numPartitions: 2 }],
      });

      const response = await client.send<{ topicMetadata: { topic: string }[] }>('Metadata', 6, { topics: [] });

      expect(response.topicMetadata.map((t) => t.topic).sort()).toEqual(['listed.a', 'listed.b']);
    });

    it('reports an unknown topic when the broker does not auto-create topics', async () => {
      ({ core, client } = startCore({ autoCreateTopics: false }));

      await expect(client.send('Metadata', 6, { topics: ['metadata.absent'] })).rejects.toMatchObject({
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    });

    it('does not auto-create when the request says allowAutoTopicCreation=false (v4+)', async () => {
      await expect(
        client.send('Metadata', 4, { topics: ['metadata.not-wanted'], allowAutoTopicCreation: false }),
      ).rejects.toMatchObject({
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    });

    it('refuses an illegal topic name', async () => {
      await expect(client.send('Metadata', 6, { topics: ['bad topic!'] })).rejects.toMatchObject({
        type: 'INVALID_TOPIC_EXCEPTION',
      });
    });

    it('creates auto-created topics with the default partition count', async () => {
      ({ core, client } = startCore({ defaultPartitions: 4 }));

      const response = await client.send<{ topicMetadata: { partitionMetadata: unknown[] }[] }>('Metadata', 6, {
        topics: ['metadata.wide'],
      });

      expect(response.topicMetadata[0].partitionMetadata).toHaveLength(4);
    });
  });

  describe('CreateTopics', () => {
    it.each(versionsOf(ApiKey.CreateTopics))('v%i creates a topic and refuses to create it twice', async (version) => {
      const topics = [{ topic: `created.v${version}`, numPartitions: 2, replicationFactor: 1 }];

      await client.send('CreateTopics', version, { topics });

      await expect(client.send('CreateTopics', version, { topics })).rejects.toMatchObject({
        errors: [{ type: 'TOPIC_ALREADY_EXISTS' }],
      });
      expect(core.topics.get(`created.v${version}`)?.partitions).toHaveLength(2);
    });

    it.each([
      ['an illegal name', { topic: 'spaces are illegal' }, 'INVALID_TOPIC_EXCEPTION'],
      ['zero partitions', { topic: 'no.partitions', numPartitions: 0 }, 'INVALID_PARTITIONS'],
      ['more replicas than brokers', { topic: 'replicated', replicationFactor: 2 }, 'INVALID_REPLICATION_FACTOR'],
    ])('refuses %s', async (_case, topic, type) => {
      await expect(client.send('CreateTopics', 3, { topics: [topic] })).rejects.toMatchObject({ errors: [{ type }] });
    });

    it('validates without creating when validateOnly is set', async () => {
      await client.send('CreateTopics', 3, { topics: [{ topic: 'validated.only' }], validateOnly: true });

      expect(core.topics.has('validated.only')).toBe(false);
    });
  });

  describe('DeleteTopics and CreatePartitions', () => {
    it.each(versionsOf(ApiKey.DeleteTopics))(
      'DeleteTopics v%i deletes a topic and reports an unknown one',
      async (version) => {
        await client.send('CreateTopics', 3, { topics: [{ topic: 'doomed' }] });

        await client.send('DeleteTopics', version, { topics: ['doomed'] });

        expect(core.topics.has('doomed')).toBe(false);
        await expect(client.send('DeleteTopics', version, { topics: ['doomed'] })).rejects.toMatchObject({
          type: 'UNKNOWN_TOPIC_OR_PARTITION',
        });
      },
    );

    it.each(versionsOf(ApiKey.CreatePartitions))(
      'CreatePartitions v%i grows a topic and refuses to shrink it',
      async (version) => {
        await client.send('CreateTopics', 3, { topics: [{ topic: 'growing', numPartitions: 2 }] });

        await client.send('CreatePartitions', version, { topicPartitions: [{ topic: 'growing', count: 5 }] });

        expect(core.topics.get('growing')?.partitions).toHaveLength(5);
        await expect(
          client.send('CreatePartitions', version, { topicPartitions: [{ topic: 'growing', count: 3 }] }),
        ).rejects.toMatchObject({
          type: 'INVALID_PARTITIONS',
        });
      },
    );
  });

  describe('Produce', () => {
    beforeEach(() => client.send('CreateTopics', 3, { topics: [{ topic: 'produced' }] }));

    it.each(versionsOf(ApiKey.Produce))('v%i appends batches and acknowledges their base offsets', async (version) => {
      const first = await client.send<ProduceResponse>('Produce', version, produceArgs('produced', ['a', 'b']));
      const second = await client.send<ProduceResponse>('Produce', version, produceArgs('produced', ['c']));

      expect(first.topics[0].partitions[0]).toMatchObject({ errorCode: 0, baseOffset: '0' });
      expect(second.topics[0].partitions[0]).toMatchObject({ errorCode: 0, baseOffset: '2' });
      if (version >= 5) expect(second.topics[0].partitions[0].logStartOffset).toBe('0');
    });

    it('sends no response for acks=0 but stores the records', async () => {
      await expect(
        client.send('Produce', 7, produceArgs('produced', ['fire', 'forget'], { acks: 0 })),
      ).resolves.toBeUndefined();

      const fetched = await client.send<FetchResponse>('Fetch', 11, fetchArgs('produced', 0));
      expect(fetched.responses[0].partitions[0].messages.map((m) => String(m.value))).toEqual(['fire', 'forget']);
    });

    it('stores compressed batches as sent', async () => {
      await client.send(
        'Produce',
        7,
        produceArgs('produced', ['zipped-1', 'zipped-2'], { compression: CompressionTypes.GZIP }),
      );

      const fetched = await client.send<FetchResponse>('Fetch', 11, fetchArgs('produced', 0));
      expect(fetched.responses[0].partitions[0].messages.map((m) => String(m.value))).toEqual(['zipped-1', 'zipped-2']);
    });

    it('refuses a batch whose CRC does not match', async () => {
      const corrupting = new KafkajsProtocolClient((frame) => {
        frame[frame.indexOf('payload')] ^= 0x01;
        return core.dispatcher.dispatch(frame.subarray(4), CONNECTION);
      });

      await expect(corrupting.send('Produce', 7, produceArgs('produced', ['payload']))).rejects.toMatchObject({
        type: 'CORRUPT_MESSAGE',
      });
    });

    it('refuses an unknown topic (Produce never auto-creates)', async () => {
      await expect(client.send('Produce', 7, produceArgs('never.created', ['x']))).rejects.toMatchObject({
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    });

    it('refuses invalid acks', async () => {
      await expect(client.send('Produce', 7, produceArgs('produced', ['x'], { acks: 2 }))).rejects.toMatchObject({
        type: 'INVALID_REQUIRED_ACKS',
      });
    });
  });

  describe('Fetch', () => {
    beforeEach(async () => {
      await client.send('CreateTopics', 3, { topics: [{ topic: 'fetched' }] });
      await client.send('Produce', 7, produceArgs('fetched', ['m0', 'm1']));
      await client.send('Produce', 7, produceArgs('fetched', ['m2', 'm3']));
    });

    it.each(versionsOf(ApiKey.Fetch))(
      'v%i returns the batches from the one holding the fetch offset, with the high watermark',
      async (version) => {
        const fetched = await client.send<FetchResponse>('Fetch', version, fetchArgs('fetched', 1));

        const partition = fetched.responses[0].partitions[0];
        expect(partition).toMatchObject({ errorCode: 0, highWatermark: '4' });
        expect(partition.messages.map((m) => [m.offset, String(m.key), String(m.value)])).toEqual([
          ['0', 'k-m0', 'm0'],
          ['1', 'k-m1', 'm1'],
          ['2', 'k-m2', 'm2'],
          ['3', 'k-m3', 'm3'],
        ]);
      },
    );

    it('returns whole batches within the partition limit, but always the first one', async () => {
      const fetched = await client.send<FetchResponse>('Fetch', 11, fetchArgs('fetched', 0, { partitionMaxBytes: 1 }));

      expect(fetched.responses[0].partitions[0].messages.map((m) => String(m.value))).toEqual(['m0', 'm1']);
    });

    it('reports OFFSET_OUT_OF_RANGE beyond the high watermark', async () => {
      await expect(client.send('Fetch', 11, fetchArgs('fetched', 5))).rejects.toMatchObject({
        type: 'OFFSET_OUT_OF_RANGE',
      });
    });

    it('reports an unknown topic', async () => {
      await expect(client.send('Fetch', 11, fetchArgs('not.there', 0))).rejects.toMatchObject({
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    });

    it('refuses incremental fetch sessions, which it does not keep', async () => {
      const incremental = { ...fetchArgs('fetched', 0), sessionId: 12, sessionEpoch: 3 };

      await expect(client.send('Fetch', 11, incremental)).resolves.toMatchObject({ errorCode: 70, responses: [] }); // FETCH_SESSION_ID_NOT_FOUND
    });
  });

  describe('Fetch long polling', () => {
    beforeEach(async () => {
      jest.useFakeTimers();
      await client.send('CreateTopics', 3, { topics: [{ topic: 'polled' }] });
    });

    afterEach(() => jest.useRealTimers());

    it('parks a fetch without data and answers it as soon as a record is produced, with no time passing', async () => {
      let answered = false;
      const fetching = client.send<FetchResponse>('Fetch', 11, fetchArgs('polled', 0, { maxWaitTime: 60_000 }));
      void fetching.then(() => (answered = true));
      await jest.advanceTimersByTimeAsync(0);
      expect(answered).toBe(false);

      await client.send('Produce', 7, produceArgs('polled', ['news']));

      const fetched = await fetching;
      expect(fetched.responses[0].partitions[0].messages.map((m) => String(m.value))).toEqual(['news']);
    });

    it('answers empty when the max wait elapses without data', async () => {
      const fetching = client.send<FetchResponse>('Fetch', 11, fetchArgs('polled', 0, { maxWaitTime: 500 }));

      await jest.advanceTimersByTimeAsync(500);

      const fetched = await fetching;
      expect(fetched.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: '0', messages: [] });
    });

    it('answers parked fetches when the broker shuts down', async () => {
      const fetching = client.send<FetchResponse>('Fetch', 11, fetchArgs('polled', 0, { maxWaitTime: 60_000 }));
      await jest.advanceTimersByTimeAsync(0);

      core.shutdown();

      await expect(fetching).resolves.toMatchObject({ responses: [{ partitions: [{ messages: [] }] }] });
    });

    it('wakes a parked fetch with an error when its topic is deleted', async () => {
      const fetching = client.send<FetchResponse>('Fetch', 11, fetchArgs('polled', 0, { maxWaitTime: 60_000 }));
      await jest.advanceTimersByTimeAsync(0);

      await client.send('DeleteTopics', 1, { topics: ['polled'] });

      await expect(fetching).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    });
  });

  describe('ListOffsets', () => {
    it.each(versionsOf(ApiKey.ListOffsets))('v%i answers the earliest and the latest offset', async (version) => {
      await client.send('CreateTopics', 3, { topics: [{ topic: 'listed' }] });
      await client.send('Produce', 7, produceArgs('listed', ['a', 'b', 'c']));
      const query = (timestamp: number) => ({
        replicaId: -1,
        topics: [{ topic: 'listed', partitions: [{ partition: 0, timestamp }] }],
      });

      const latest = await client.send<{ responses: { partitions: { offset: string }[] }[] }>(
        'ListOffsets',
        version,
        query(-1),
      );
      const earliest = await client.send<{ responses: { partitions: { offset: string }[] }[] }>(
        'ListOffsets',
        version,
        query(-2),
      );

      expect(latest.responses[0].partitions[0].offset).toBe('3');
      expect(earliest.responses[0].partitions[0].offset).toBe('0');
    });
  });

  describe('FindCoordinator', () => {
    it.each(versionsOf(ApiKey.FindCoordinator))(
      'v%i names this broker as every group’s coordinator',
      async (version) => {
        const response = await client.send<{ coordinator: unknown }>('GroupCoordinator', version, {
          groupId: 'any-group',
        });

        expect(response.coordinator).toEqual({ nodeId: 3, host: 'broker.test', port: 19092 });
      },
    );

    it('has no transaction coordinator', async () => {
      await expect(client.send('GroupCoordinator', 2, { groupId: 'tx-id', coordinatorType: 1 })).rejects.toMatchObject({
        type: 'INVALID_REQUEST',
      });
    });
  });

  describe('InitProducerId', () => {
    it.each(versionsOf(ApiKey.InitProducerId))(
      'v%i hands out distinct producer ids for idempotent producers',
      async (version) => {
        const first = await client.send<{ producerId: string }>('InitProducerId', version, {
          transactionalId: null,
          transactionTimeout: 1000,
        });
        const second = await client.send<{ producerId: string }>('InitProducerId', version, {
          transactionalId: null,
          transactionTimeout: 1000,
        });

        expect(first.producerId).not.toBe(second.producerId);
      },
    );

    it('refuses a transactional id', async () => {
      await expect(
        client.send('InitProducerId', 1, { transactionalId: 'tx', transactionTimeout: 1000 }),
      ).rejects.toMatchObject({ type: 'INVALID_REQUEST' });
    });
  });

  describe('group membership', () => {
    it.each(versionsOf(ApiKey.JoinGroup))(
      'JoinGroup v%i makes a lone member the leader of generation 1 with its own metadata',
      async (version) => {
        const joined = await join(client, version, `join.v${version}`);

        expect(joined).toMatchObject({
          generationId: 1,
          leaderId: joined.memberId,
          groupProtocol: 'RoundRobinAssigner',
        });
        expect(joined.members.map((m) => [m.memberId, String(m.memberMetadata)])).toEqual([
          [joined.memberId, `metadata-of-join.v${version}`],
        ]);
      },
    );

    it('JoinGroup v4+ first hands out a member id with MEMBER_ID_REQUIRED', async () => {
      await expect(client.send('JoinGroup', 4, joinArgs('join.two-step', ''))).rejects.toMatchObject({
        type: 'MEMBER_ID_REQUIRED',
        memberId: expect.stringMatching(/^protocol-client-/),
      });
    });

    it.each(versionsOf(ApiKey.SyncGroup))(
      'SyncGroup v%i gives the member the assignment its leader sent',
      async (version) => {
        const joined = await join(client, 5, `sync.v${version}`);

        const synced = await client.send<{ memberAssignment: Buffer }>('SyncGroup', version, {
          groupId: `sync.v${version}`,
          generationId: joined.generationId,
          memberId: joined.memberId,
          groupAssignment: [{ memberId: joined.memberId, memberAssignment: Buffer.from('partitions 0-3') }],
        });

        expect(String(synced.memberAssignment)).toBe('partitions 0-3');
      },
    );

    it.each(versionsOf(ApiKey.Heartbeat))(
      'Heartbeat v%i accepts the current generation and refuses an old one',
      async (version) => {
        const { generationId, memberId } = await stableGroup(client, `heartbeat.v${version}`);
        const heartbeat = (groupGenerationId: number) =>
          client.send('Heartbeat', version, { groupId: `heartbeat.v${version}`, groupGenerationId, memberId });

        await expect(heartbeat(generationId)).resolves.toMatchObject({ errorCode: 0 });
        await expect(heartbeat(generationId - 1)).rejects.toMatchObject({ type: 'ILLEGAL_GENERATION' });
      },
    );

    it.each(versionsOf(ApiKey.LeaveGroup))('LeaveGroup v%i removes the member', async (version) => {
      const groupId = `leave.v${version}`;
      const { generationId, memberId } = await stableGroup(client, groupId);

      await client.send('LeaveGroup', version, { groupId, memberId });

      await expect(
        client.send('Heartbeat', 3, { groupId, groupGenerationId: generationId, memberId }),
      ).rejects.toMatchObject({
        type: 'UNKNOWN_MEMBER_ID',
      });
      await expect(client.send('LeaveGroup', version, { groupId, memberId })).rejects.toMatchObject({
        type: 'UNKNOWN_MEMBER_ID',
      });
    });

    it.each(versionsOf(ApiKey.DescribeGroups))(
      'DescribeGroups v%i describes a stable group and reports an unknown one as Dead',
      async (version) => {
        const { memberId } = await stableGroup(client, `described.v${version}`);

        const response = await client.send<{ groups: unknown[] }>('DescribeGroups', version, {
          groupIds: [`described.v${version}`, 'nobody'],
        });

        expect(response.groups).toEqual([
          {
            errorCode: 0,
            groupId: `described.v${version}`,
            state: 'Stable',
            protocolType: 'consumer',
            protocol: 'RoundRobinAssigner',
            members: [
              {
                memberId,
                clientId: 'protocol-client',
                clientHost: '/127.0.0.1',
                memberMetadata: Buffer.from(`metadata-of-described.v${version}`),
                memberAssignment: Buffer.from('assignment'),
              },
            ],
          },
          { errorCode: 0, groupId: 'nobody', state: 'Dead', protocolType: '', protocol: '', members: [] },
        ]);
      },
    );

    it.each(versionsOf(ApiKey.ListGroups))('ListGroups v%i lists the groups', async (version) => {
      await stableGroup(client, `listed.v${version}`);

      const response = await client.send<{ groups: unknown[] }>('ListGroups', version);

      expect(response.groups).toEqual([{ groupId: `listed.v${version}`, protocolType: 'consumer' }]);
    });

    it.each(versionsOf(ApiKey.DeleteGroups))(
      'DeleteGroups v%i deletes an empty group but not one with members',
      async (version) => {
        const { memberId } = await stableGroup(client, `deleted.v${version}`);

        const refused = await client.send<{ results: { errorCode: number }[] }>('DeleteGroups', version, [
          `deleted.v${version}`,
        ]);
        await client.send('LeaveGroup', 3, { groupId: `deleted.v${version}`, memberId });
        const deleted = await client.send<{ results: { errorCode: number }[] }>('DeleteGroups', version, [
          `deleted.v${version}`,
        ]);
        const unknown = await client.send<{ results: { errorCode: number }[] }>('DeleteGroups', version, [
          `deleted.v${version}`,
        ]);

        expect([refused, deleted, unknown].map((r) => r.results[0].errorCode)).toEqual([68, 0, 69]); // NON_EMPTY_GROUP, NONE, GROUP_ID_NOT_FOUND
      },
    );
  });

  describe('committed offsets', () => {
    beforeEach(() => client.send('CreateTopics', 3, { topics: [{ topic: 'committed', numPartitions: 2 }] }));

    const fetchCommitted = async (version: number, groupId: string) => {
      const response = await client.send<{ responses: { partitions: { partition: number; offset: string }[] }[] }>(
        'OffsetFetch',
        version,
        {
          groupId,
          topics: [{ topic: 'committed', partitions: [{ partition: 0 }, { partition: 1 }] }],
        },
      );
      return response.responses[0].partitions.map((p) => [p.partition, p.offset]);
    };

    it.each(versionsOf(ApiKey.OffsetCommit))('OffsetCommit v%i stores a group member’s offsets', async (version) => {
      const groupId = `commit.v${version}`;
      const member = version === 0 ? { groupGenerationId: -1, memberId: '' } : await stableGroup(client, groupId);
      const generation =
        'generationId' in member ? { groupGenerationId: member.generationId, memberId: member.memberId } : member;

      await client.send('OffsetCommit', version, {
        groupId,
        ...generation,
        topics: [{ topic: 'committed', partitions: [{ partition: 1, offset: '42' }] }],
      });

      await expect(fetchCommitted(4, groupId)).resolves.toEqual([
        [0, '-1'],
        [1, '42'],
      ]);
    });

    it.each(versionsOf(ApiKey.OffsetFetch))(
      'OffsetFetch v%i returns committed offsets and -1 where none was committed',
      async (version) => {
        const groupId = `fetch-offsets.v${version}`;
        await client.send('OffsetCommit', 5, {
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [{ topic: 'committed', partitions: [{ partition: 0, offset: '7' }] }],
        });

        await expect(fetchCommitted(version, groupId)).resolves.toEqual([
          [0, '7'],
          [1, '-1'],
        ]);
      },
    );

    it('refuses a commit from a generation the group has left behind', async () => {
      const { generationId, memberId } = await stableGroup(client, 'commit.stale');

      const stale = client.send('OffsetCommit', 5, {
        groupId: 'commit.stale',
        groupGenerationId: generationId - 1,
        memberId,
        topics: [{ topic: 'committed', partitions: [{ partition: 0, offset: '1' }] }],
      });

      await expect(stale).rejects.toMatchObject({ type: 'ILLEGAL_GENERATION' });
    });

    it('refuses a commit for an unknown partition', async () => {
      const commit = client.send('OffsetCommit', 5, {
        groupId: 'commit.unknown',
        groupGenerationId: -1,
        memberId: '',
        topics: [{ topic: 'committed', partitions: [{ partition: 9, offset: '1' }] }],
      });

      await expect(commit).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    });
  });
});
