import { type AddressInfo } from 'node:net';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { chatCompletionsEndpoint, parseJudgeVerdict } from '@strata/cache-core';
import { OpenAiCompatibleJudge } from './openai-compatible-judge';

type Behaviour = 'yes' | 'no' | 'garbage' | 'prose' | 'hang' | 'error' | 'not-json';

/** A fake OpenAI-compatible judge on 127.0.0.1:0 that behaves as told and records what it was sent. */
class FakeJudgeServer {
  behaviour: Behaviour = 'yes';
  usage: unknown = { prompt_tokens: 96, completion_tokens: 6, total_tokens: 102 };
  readonly bodies: Record<string, unknown>[] = [];
  private readonly server: Server;
  private readonly hung: ServerResponse[] = [];

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
    const reply = (content: string) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [{ message: { content } }],
          ...(this.usage === undefined ? {} : { usage: this.usage }),
        }),
      );
    switch (this.behaviour) {
      case 'yes':
        return void reply('{"same": true}');
      case 'no':
        return void reply('{"same":false}');
      case 'garbage':
        return void reply('{"same": "maybe"}');
      case 'prose':
        return void reply('Yes, I think they are the same.');
      case 'not-json':
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end('<html>');
      case 'error':
        return void res.writeHead(500).end('{"error":"boom"}');
      case 'hang':
        this.hung.push(res);
        return;
    }
  }
}

describe(OpenAiCompatibleJudge.name, () => {
  const server = new FakeJudgeServer();
  let judge: OpenAiCompatibleJudge;
  const question = { query: 'how can I reset my password', candidate: 'how do I reset my password' };
  const ask = async (timeoutMs = 2_000) => (await judge.judge(question, AbortSignal.timeout(timeoutMs))).same;

  beforeAll(async () => {
    judge = new OpenAiCompatibleJudge({ url: await server.start(), model: 'judge-mini', apiKey: 'sk-test' });
  });
  afterAll(() => server.stop());

  it('asks at temperature 0 with a fixed prompt and a JSON-schema answer, and reads yes', async () => {
    server.behaviour = 'yes';
    await expect(ask()).resolves.toBe(true);
    expect(server.bodies.at(-1)).toMatchObject({
      model: 'judge-mini',
      temperature: 0,
      response_format: { type: 'json_schema' },
    });
    expect(JSON.stringify(server.bodies.at(-1))).toContain(question.candidate);
  });

  it("passes on the reply's token usage, so the call can be priced", async () => {
    server.behaviour = 'yes';
    await expect(judge.judge(question, AbortSignal.timeout(2_000))).resolves.toEqual({
      same: true,
      usage: { inputTokens: 96, outputTokens: 6 },
    });
  });

  it('still gives its verdict when the reply has no usage, or a malformed one', async () => {
    server.behaviour = 'no';
    for (const usage of [undefined, { prompt_tokens: 'many' }]) {
      server.usage = usage;
      await expect(judge.judge(question, AbortSignal.timeout(2_000))).resolves.toEqual({
        same: false,
        usage: undefined,
      });
    }
    server.usage = { prompt_tokens: 96, completion_tokens: 6 };
  });

  it('reads no', async () => {
    server.behaviour = 'no';
    await expect(ask()).resolves.toBe(false);
  });

  it.each<Behaviour>(['garbage', 'prose', 'not-json', 'error'])(
    'gives no verdict when the judge answers %s',
    async (b) => {
      server.behaviour = b;
      await expect(ask()).resolves.toBeUndefined();
    },
  );

  it('gives no verdict when the judge hangs past the deadline', async () => {
    server.behaviour = 'hang';
    await expect(ask(100)).resolves.toBeUndefined();
  });

  it('gives no verdict when nothing listens', async () => {
    const down = new OpenAiCompatibleJudge({ url: 'http://127.0.0.1:9/v1', model: 'm' });
    await expect(down.judge(question, AbortSignal.timeout(1_000))).resolves.toEqual({ same: undefined });
  });
});

describe(parseJudgeVerdict.name, () => {
  it.each([
    ['{"same": true}', true],
    [' {"same":false} ', false],
    ['yes', true],
    ['NO', false],
    ['{"same": true, "why": "x"}', undefined],
    ['{"same": 1}', undefined],
    ['sure', undefined],
    [null, undefined],
  ])('reads %j as %j', (content, verdict) => {
    expect(parseJudgeVerdict(content)).toBe(verdict);
  });
});

describe(chatCompletionsEndpoint.name, () => {
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1/chat/completions'],
    ['http://ollama:11434', 'http://ollama:11434/v1/chat/completions'],
    ['http://vllm:8000/v1/chat/completions', 'http://vllm:8000/v1/chat/completions'],
  ])('maps %s to %s', (base, endpoint) => {
    expect(chatCompletionsEndpoint(base)).toBe(endpoint);
  });
});
