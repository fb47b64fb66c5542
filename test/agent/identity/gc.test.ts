import test from 'ava';
import { planIdentityGc, type GcInput } from '../../../agent/identity/gc.ts';
import { label, labelSet, labelSetKey } from '../../../agent/identity/labels.ts';

const ls = (v: string) => labelSet([label('k8s', 'app', v)]);
const identities = [
  { id: 300, labels: ls('live') },
  { id: 301, labels: ls('dead') },
  { id: 302, labels: ls('live') }, // a duplicate of 300
];
const live = new Set([labelSetKey(ls('live'))]);

const plans = test.macro({
  exec(t, input: Omit<GcInput, 'identities' | 'liveLabelKeys'>, wantDelete: number[], wantPending: [number, number][]) {
    const plan = planIdentityGc({ identities, liveLabelKeys: live, graceMs: 1000, ...input });
    t.deepEqual(plan.deleteIds, wantDelete);
    t.deepEqual([...plan.unusedSince], wantPending);
  },
  title: (given) => given ?? '',
});

test('an unused identity is first only marked', plans, { unusedSince: new Map(), now: 5000 }, [], [[301, 5000]]);
test('it is kept within the grace period', plans, { unusedSince: new Map([[301, 5000]]), now: 5999 }, [], [[301, 5000]]);
test('it is deleted once the grace period has passed', plans, { unusedSince: new Map([[301, 5000]]), now: 6000 }, [301], []);
test('an identity used again is unmarked', plans, { unusedSince: new Map([[300, 1]]), now: 9000 }, [], [[301, 9000]]);
