import { KafkaJSProtocolError } from 'kafkajs';
import { isGroupMembershipError } from './consumer';

// kafkajs turns a broker error code into a KafkaJSProtocolError carrying the code's type.
const protocolError = (code: number, type: string) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable: false }));

describe('isGroupMembershipError', () => {
  it.each([
    [27, 'REBALANCE_IN_PROGRESS'],
    [16, 'NOT_COORDINATOR_FOR_GROUP'],
    [22, 'ILLEGAL_GENERATION'],
    [25, 'UNKNOWN_MEMBER_ID'],
  ])('code %d (%s) ends this member’s generation', (code, type) => {
    const err = protocolError(code, type);
    expect(isGroupMembershipError(err)).toBe(true);
  });

  it('leaves other errors to the batch retry (a database outage, a full broker queue)', () => {
    expect(isGroupMembershipError(new Error('database unavailable'))).toBe(false);
    expect(isGroupMembershipError(protocolError(51, 'CONCURRENT_TRANSACTIONS'))).toBe(false);
    expect(isGroupMembershipError(null)).toBe(false);
    expect(isGroupMembershipError('ILLEGAL_GENERATION')).toBe(false);
  });
});
