import { type JsonValue } from '@strata/contracts';
import { type WireFormat } from './wire-format';

interface Renderings {
  json?: string | null;
  sse?: string | null;
  sseWithUsage?: string | null;
}

/**
 * A stored answer rendered for the wire, once per answer object: an L1 hit hands out the same entry
 * object every time, so repeated hits reuse the JSON body or the SSE text instead of serialising (or
 * assembling, or synthesising) it again. Held weakly: an entry evicted from L1 takes its renderings along.
 * `undefined` when the answer is not one of the format's.
 */
export class RenderedAnswers {
  private readonly cache = new WeakMap<object, Renderings>();

  constructor(private readonly format: Pick<WireFormat, 'renderJson' | 'renderSse'>) {}

  json(response: JsonValue): string | undefined {
    const slot = this.slot(response);
    if (slot?.json !== undefined) return slot.json ?? undefined;
    const text = this.format.renderJson(response) ?? null;
    if (slot) slot.json = text;
    return text ?? undefined;
  }

  sse(response: JsonValue, includeUsage: boolean): string | undefined {
    const slot = this.slot(response);
    const cached = includeUsage ? slot?.sseWithUsage : slot?.sse;
    if (cached !== undefined) return cached ?? undefined;
    const text = this.format.renderSse(response, includeUsage) ?? null;
    if (slot) {
      if (includeUsage) slot.sseWithUsage = text;
      else slot.sse = text;
    }
    return text ?? undefined;
  }

  private slot(response: JsonValue): Renderings | undefined {
    if (typeof response !== 'object' || response === null) return undefined;
    let slot = this.cache.get(response);
    if (!slot) this.cache.set(response, (slot = {}));
    return slot;
  }
}
