import { errorCodes } from 'kafkajs/src/protocol/error';
import kafkajsApiKeys from 'kafkajs/src/protocol/requests/apiKeys';
import { ApiKey } from './api-key';
import { ErrorCode } from './error-code';

/** kafkajs' names where they differ from ours. */
const KAFKAJS_ERROR_TYPES: Partial<Record<keyof typeof ErrorCode, string>> = {
  None: undefined,
  InvalidTopic: 'INVALID_TOPIC_EXCEPTION',
  CoordinatorNotAvailable: 'GROUP_COORDINATOR_NOT_AVAILABLE',
};
const KAFKAJS_API_NAMES: Partial<Record<keyof typeof ApiKey, string>> = { FindCoordinator: 'GroupCoordinator' };

const screamingSnake = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
const names = <T extends object>(numericEnum: T) =>
  Object.keys(numericEnum).filter((key) => Number.isNaN(Number(key))) as (keyof T)[];

describe('protocol numbers', () => {
  it.each(names(ErrorCode).filter((name) => name !== 'None'))('ErrorCode.%s has kafkajs’ code', (name) => {
    const type = KAFKAJS_ERROR_TYPES[name] ?? screamingSnake(name);

    expect(errorCodes.find((e) => e.type === type)?.code).toBe(ErrorCode[name]);
  });

  it.each(names(ApiKey))('ApiKey.%s has kafkajs’ key', (name) => {
    expect(kafkajsApiKeys[KAFKAJS_API_NAMES[name] ?? name]).toBe(ApiKey[name]);
  });
});
