// Every command, listed explicitly: the binary is bundled, so nothing is discovered at run time.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../options.ts';
import { versionCommand } from './version.ts';
import { completionCommand } from './completion.ts';
import { echoRole, sleepRole } from './roles.ts';
import { probeCommand } from './probe.ts';
import { installCommand } from './install.ts';
import { policyCommand } from './policy.ts';
import { observeCommand } from './observe.ts';
import { endpointsCommand } from './endpoints.ts';
import { mapsCommand } from './maps.ts';
import { uiCommand } from './ui.ts';
import { connectivityCommand } from './connectivity.ts';
import { uninstallCommand } from './uninstall.ts';
import { statusCommand } from './status.ts';
import { agentRole } from './agent.ts';
import { relayRole } from './relay.ts';
import { labCommand } from './lab.ts';
import { certsCommand } from './certs.ts';
import { upgradeCommand } from './upgrade.ts';
import { sysdumpCommand } from './sysdump.ts';
import { linuxOnly } from '../linux-only.ts';

// The lab and the pod roles need Linux (netns, BPF, netlink); on macOS and Windows they say so.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<GlobalArgs, any>[] = [
  versionCommand, completionCommand, installCommand, upgradeCommand, uninstallCommand, statusCommand, certsCommand, observeCommand, endpointsCommand, mapsCommand, uiCommand, connectivityCommand, policyCommand, sysdumpCommand,
  ...[echoRole, sleepRole, probeCommand, agentRole, relayRole, labCommand].map((c) => linuxOnly(c as CommandModule<GlobalArgs, unknown>)),
];
