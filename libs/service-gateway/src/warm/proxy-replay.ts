import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Injectable } from '@nestjs/common';
import { type WarmRecording } from '@strata/cache-core';
import { ChatCompletionsProxy } from '../openai/chat/chat-completions.proxy';
import { DEFAULT_CONTROLS } from '../openai/controls/proxy-controls';
import { ClientConnection } from '../openai/http/client-connection';
import { MessagesProxy } from '../proxy/formats/anthropic-messages/messages.proxy';
import { type ReplayOutcome } from './version-bump-warmer';

/**
 * Asks a recorded question again through the gateway's own proxy — the same lookup, miss path, upstream call and
 * store as a client's request — as the recording's tenant, with its namespace and tags. Non-streaming (the stored
 * answer serves both forms). No client credentials: the upstream gets the key configured for it (without one the
 * upstream refuses and the question counts as failed).
 */
@Injectable()
export class ProxyReplay {
  constructor(
    private readonly chat: ChatCompletionsProxy,
    private readonly messages: MessagesProxy,
  ) {}

  async replay(tenant: string, recording: WarmRecording): Promise<ReplayOutcome> {
    const body = JSON.parse(recording.body) as Record<string, unknown>;
    delete body['stream'];
    delete body['stream_options'];
    const proxy = recording.api === 'anthropic' ? this.messages : this.chat;
    // Nobody reads this response: the connection only needs something to close, and it never does before the answer.
    const connection = new ClientConnection(new ServerResponse(new IncomingMessage(new Socket())));
    const reply = await proxy.handle(
      {
        caller: { tenant, credentials: {} },
        body,
        headers: { ...recording.headers },
        controls: { ...DEFAULT_CONTROLS, namespace: recording.namespace, tags: [...recording.tags] },
      },
      connection,
    );
    const cache = reply.headers['x-strata-cache'];
    if (cache === 'HIT' || cache === 'STALE') return 'skipped';
    const stored = / stored(;|$)/.test(reply.headers['cache-status'] ?? '');
    return cache === 'MISS' && reply.status < 300 && stored ? 'warmed' : 'failed';
  }
}
