import { AssignerProtocol } from 'kafkajs';
import { stickyLeaseAssigner } from './lease';

const TOPIC = 'processor-syi.lease';

/** Join metadata of a member that does or does not hold the lease, as its assigner states it. */
function member(memberId: string, holds: boolean) {
  const { metadata } = stickyLeaseAssigner(() => holds)({
    cluster: {} as never,
    groupId: 'g',
    logger: {} as never,
  }).protocol({ topics: [TOPIC] });
  return { memberId, memberMetadata: metadata };
}

async function holderOf(members: ReturnType<typeof member>[]): Promise<string[]> {
  const assigner = stickyLeaseAssigner(() => false)({ cluster: {} as never, groupId: 'g', logger: {} as never });
  const assignments = await assigner.assign({ members, topics: [TOPIC] });
  expect(assignments.map((a) => a.memberId).sort()).toEqual(members.map((m) => m.memberId).sort());
  return assignments
    .filter((a) => (AssignerProtocol.MemberAssignment.decode(a.memberAssignment)?.assignment[TOPIC] ?? []).includes(0))
    .map((a) => a.memberId);
}

describe('stickyLeaseAssigner', () => {
  it('keeps the lease with its holder when a member whose id sorts first joins', async () => {
    expect(await holderOf([member('b-active', true), member('a-standby', false)])).toEqual(['b-active']);
  });

  it('gives the lease to exactly one member when nobody holds it', async () => {
    expect(await holderOf([member('c', false), member('a', false), member('b', false)])).toEqual(['a']);
  });
});
