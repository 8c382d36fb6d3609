import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { OpenAiAnswerJudge } from './openai-answer-judge';

/** An OpenAI-compatible judge on 127.0.0.1:0 answering with `reply` (a status and a body), recording what it was sent. */
async function startJudge(): Promise<{
  url: string;
  reply: { status: number; content: string };
  bodies: Record<string, unknown>[];
  stop: () => Promise<void>;
}> {
  const state = {
    reply: { status: 200, content: '{"same": true}' },
    bodies: [] as Record<string, unknown>[],
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(state.reply.status, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [{ message: { content: state.reply.content } }],
          usage: { prompt_tokens: 57, completion_tokens: 6 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    get reply() {
      return state.reply;
    },
    set reply(reply) {
      state.reply = reply;
    },
    bodies: state.bodies,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe(OpenAiAnswerJudge.name, () => {
  let judge: Awaited<ReturnType<typeof startJudge>>;
  let sut: OpenAiAnswerJudge;

  beforeAll(async () => {
    judge = await startJudge();
    sut = new OpenAiAnswerJudge({ url: judge.url, model: 'judge-model', timeoutMs: 2_000 });
  });
  afterAll(() => judge.stop());

  it('asks whether the two answers say the same, at temperature 0, and reads its JSON verdict', async () => {
    judge.reply = { status: 200, content: '{"same": false}' };

    expect(await sut.same('30 days.', 'Stores open at nine.')).toEqual({
      same: false,
      usage: { inputTokens: 57, outputTokens: 6 },
    });
    expect(judge.bodies.at(-1)).toMatchObject({ model: 'judge-model', temperature: 0 });
    expect(JSON.stringify(judge.bodies.at(-1))).toContain('Answer A:\\n30 days.');
  });

  it('gives no verdict for garbage or an error status', async () => {
    judge.reply = { status: 200, content: 'probably' };
    expect(await sut.same('a', 'b')).toEqual({ same: undefined, usage: { inputTokens: 57, outputTokens: 6 } });
    judge.reply = { status: 500, content: '{"same": true}' };
    expect(await sut.same('a', 'b')).toEqual({ same: undefined });
  });
});
