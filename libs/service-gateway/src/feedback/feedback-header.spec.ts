import { ErrorCode } from '@strata/contracts';
import { parseFeedbackHeader } from './feedback-header';

const ID = '3b0c6f1e-8d0a-4f61-9a55-0d1f7b2c9e10';

describe(parseFeedbackHeader.name, () => {
  it.each([
    [`wrong; entry=${ID}`, { verdict: 'wrong', target: { entryId: ID } }],
    [`Right;entry="${ID.toUpperCase()}"`, { verdict: 'right', target: { entryId: ID } }],
    ['wrong; request=req-42', { verdict: 'wrong', target: { requestId: 'req-42' } }],
  ])('reads %s', (value, parsed) => {
    expect(parseFeedbackHeader(value)).toEqual(parsed);
  });

  it.each([
    ['an unknown verdict', `maybe; entry=${ID}`],
    ['no target', 'wrong'],
    ['two targets', `wrong; entry=${ID}; request=r`],
    ['a target given twice', 'wrong; request=a; request=b'],
    ['an entry id that is no UUID', 'wrong; entry=42'],
    ['an unknown parameter', `wrong; entry=${ID}; why=bad`],
    ['a malformed parameter', 'wrong; entry'],
    ['an overlong value', `wrong; request=${'x'.repeat(600)}`],
  ])('refuses %s with invalid_request', (_, value) => {
    expect(() => parseFeedbackHeader(value)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
  });
});
