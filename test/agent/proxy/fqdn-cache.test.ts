import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FQDN_MIN_TTL_S, FqdnCache } from '../../../agent/proxy/fqdn-cache.ts';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('learnt addresses serve the selectors that select their name, until the TTL runs out', (t) => {
  const c = clock();
  const cache = new FqdnCache({ now: c.now, minTtlS: 10 });
  t.true(cache.learn('API.world.lab.', [{ ip: '198.18.0.11', ttl: 30 }]));
  t.true(cache.learn('www.world.lab', [{ ip: '198.18.0.10', ttl: 5 }]));
  t.false(cache.learn('api.world.lab', [{ ip: '198.18.0.11', ttl: 30 }]), 'a known address is no change');
  t.deepEqual(cache.ips([{ matchName: 'api.world.lab' }]), ['198.18.0.11']);
  t.deepEqual(cache.ips([{ matchPattern: '*.world.lab' }]), ['198.18.0.10', '198.18.0.11']);
  t.deepEqual(cache.ips([{ matchName: 'cdn.world.lab' }]), []);
  // www's TTL of 5 s is raised to the minimum of 10 s.
  c.t += 9_000;
  t.deepEqual(cache.ips([{ matchPattern: '*.world.lab' }]), ['198.18.0.10', '198.18.0.11']);
  c.t += 2_000;
  t.deepEqual(cache.ips([{ matchPattern: '*.world.lab' }]), ['198.18.0.11'], 'expired addresses stop serving before GC');
  const rev = cache.revision;
  t.true(cache.gc());
  t.true(cache.revision > rev);
  t.false(cache.gc());
  c.t += 20_000;
  t.true(cache.gc());
  t.deepEqual(cache.entries(), []);
});

test('a new answer extends an address; an expired one coming back is a change', (t) => {
  const c = clock();
  const cache = new FqdnCache({ now: c.now, minTtlS: 0 });
  cache.learn('a.lab', [{ ip: '1.1.1.1', ttl: 10 }]);
  c.t += 8_000;
  t.false(cache.learn('a.lab', [{ ip: '1.1.1.1', ttl: 10 }]));
  c.t += 8_000;
  t.deepEqual(cache.ips([{ matchName: 'a.lab' }]), ['1.1.1.1']);
  c.t += 5_000;
  t.deepEqual(cache.ips([{ matchName: 'a.lab' }]), []);
  t.true(cache.learn('a.lab', [{ ip: '1.1.1.1', ttl: 10 }]));
});

test('the default minimum TTL is an hour', (t) => {
  const c = clock();
  const cache = new FqdnCache({ now: c.now });
  cache.learn('a.lab', [{ ip: '1.1.1.1', ttl: 1 }]);
  t.is(FQDN_MIN_TTL_S, 3600);
  t.deepEqual(cache.entries(), [['a.lab', '1.1.1.1', c.t + 3_600_000]]);
});

test('saved entries are restored, expired ones dropped; a bad file is ignored', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fqdn-'));
  const file = path.join(dir, 'fqdn.json');
  const c = clock();
  const a = new FqdnCache({ now: c.now, minTtlS: 0 });
  a.learn('a.lab', [{ ip: '1.1.1.1', ttl: 100 }]);
  a.learn('b.lab', [{ ip: '2.2.2.2', ttl: 10 }]);
  await a.save(file);
  c.t += 50_000;
  const b = new FqdnCache({ now: c.now, minTtlS: 0 });
  t.is(b.restore(file), 1);
  t.deepEqual(b.ips([{ matchPattern: '*.lab' }]), ['1.1.1.1']);
  writeFileSync(file, '{not json');
  t.is(new FqdnCache().restore(file), 0);
  t.is(new FqdnCache().restore(path.join(dir, 'missing.json')), 0);
});
