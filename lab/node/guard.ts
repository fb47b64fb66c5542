// The lab's fence: its API server, DNS and pods answer only the lab itself. Packets for the
// lab's host address from anywhere but the lab's own link (or this host's loopback) are dropped,
// and so are packets the host would route into the lab's underlay, pod, service or world
// addresses from any other interface — a netns or machine that can route to the host is not in the lab.
import type { LabPlan } from './plan.ts';
import { nft } from './sh.ts';

export const guardTable = (plan: LabPlan): string => `${plan.nftTable}_guard`;

export function renderGuard(plan: LabPlan): string {
  const t = guardTable(plan);
  const labNets = [plan.underlayCidr, plan.clusterPodCidr, plan.serviceCidr, plan.worldCidr].join(', ');
  return [
    `table ip ${t}`,
    `delete table ip ${t}`,
    `table ip ${t} {`,
    '  chain input {',
    '    type filter hook input priority -10; policy accept;',
    `    ip daddr ${plan.hostIp} iifname != { "lo", "${plan.hostLink}" } drop`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority -10; policy accept;',
    `    ip daddr { ${labNets} } iifname != "${plan.hostLink}" drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function guardLab(plan: LabPlan): Promise<void> {
  await nft(renderGuard(plan));
}

export async function unguardLab(plan: LabPlan): Promise<void> {
  await nft(`table ip ${guardTable(plan)}\ndelete table ip ${guardTable(plan)}\n`).catch(() => {});
}
