// The lab's kube-proxy: Services as nftables DNAT rules, rendered from Services and
// EndpointSlices (pure), loaded into every node's netns and the host. ClusterIPs are translated
// where traffic enters (prerouting for pods, output for host-network processes); NodePorts on
// the node's own addresses, masqueraded so replies come back through the same node.

export interface Backend {
  ip: string;
  port: number;
}

export interface ServicePort {
  name: string; // ns/svc:port, for comments
  protocol: 'tcp' | 'udp' | 'sctp';
  clusterIp: string;
  port: number;
  nodePort?: number;
  backends: Backend[];
}

const NODEPORT_MARK = '0x4000';

function chainName(i: number): string {
  return `svc_${i}`;
}

/** The whole table for one netns; `withNodePorts` is false for the host. */
export function renderServiceTable(table: string, ports: ServicePort[], opts: { withNodePorts: boolean; masqueradeCidr?: string }): string {
  const lines: string[] = [];
  lines.push(`table ip ${table}`, `delete table ip ${table}`, `table ip ${table} {`);
  const chains: string[] = [];
  const dispatch: string[] = [];
  const nodeports: string[] = [];
  ports.forEach((p, i) => {
    const c = chainName(i);
    const n = p.backends.length;
    const body: string[] = [];
    if (n === 0) body.push(`    ${p.protocol === 'tcp' ? 'reject with tcp reset' : 'reject'} comment "${p.name} has no endpoints"`);
    else if (n === 1) body.push(`    meta l4proto ${p.protocol} dnat to ${p.backends[0]!.ip}:${p.backends[0]!.port}`);
    else {
      body.push(`    numgen random mod ${n} vmap { ${p.backends.map((_, j) => `${j} : jump ${c}_${j}`).join(', ')} }`);
      p.backends.forEach((b, j) => chains.push(`  chain ${c}_${j} {`, `    meta l4proto ${p.protocol} dnat to ${b.ip}:${b.port}`, '  }'));
    }
    chains.push(`  chain ${c} {`, ...body, '  }');
    dispatch.push(`    ip daddr ${p.clusterIp} ${p.protocol} dport ${p.port} jump ${c} comment "${p.name}"`);
    if (p.nodePort && opts.withNodePorts) nodeports.push(`    fib daddr type local ${p.protocol} dport ${p.nodePort} meta mark set ${NODEPORT_MARK} jump ${c} comment "${p.name} nodePort"`);
  });
  lines.push('  chain services {', ...dispatch, '  }');
  lines.push('  chain nodeports {', ...nodeports, '  }');
  lines.push(...chains);
  lines.push('  chain prerouting {', '    type nat hook prerouting priority -100; policy accept;', '    jump services', '    jump nodeports', '  }');
  lines.push('  chain output {', '    type nat hook output priority -100; policy accept;', '    jump services', ...(opts.withNodePorts ? ['    jump nodeports'] : []), '  }');
  lines.push('  chain postrouting {', '    type nat hook postrouting priority 100; policy accept;', `    meta mark & ${NODEPORT_MARK} == ${NODEPORT_MARK} masquerade`, '  }');
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function deleteTableScript(table: string): string {
  return `table ip ${table}\ndelete table ip ${table}\n`;
}
