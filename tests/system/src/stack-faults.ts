// Faults on the local stack and the apps' clocks: a component stopped or restarted, a broker of
// the 3-broker cluster killed, a process started with a skewed clock.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@stableyield/stream/testing';

/**
 * The environment that runs a process with its clock `offset` off (Debian's libfaketime, as the
 * `faketime -f` command sets it), e.g. '+60s'.
 */
export function faketimeEnv(offset: string): Record<string, string> {
  return { LD_PRELOAD: '/usr/$LIB/faketime/libfaketime.so.1', FAKETIME: offset };
}

/** `scripts/stack/stack.sh ARGS…` (e.g. down postgres), waiting for it. */
export function stackCommand(args: string[]): void {
  execFileSync('bash', [join(repoRoot(), 'scripts/stack/stack.sh'), ...args], { stdio: 'ignore' });
}

/** SIGKILLs or restarts one node of the 3-broker cluster. */
export function kafkaClusterNode(action: 'kill-node' | 'start-node', node: number): void {
  execFileSync('bash', [join(repoRoot(), 'scripts/stack/components/kafka.sh'), action, String(node)], {
    stdio: 'ignore',
    env: { ...process.env, KAFKA_MODE: 'cluster' },
  });
}
