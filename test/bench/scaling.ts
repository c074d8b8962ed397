import { findHaproxy, startLoadBalancer } from '../helpers/load-balancer.ts'
import { ownTeardown } from './cleanup.ts'
import type { Target } from './load.ts'
import type { Child } from './processes.ts'
import { behindHaproxy } from './summary.ts'
import { serviceTarget } from './targets.ts'

/**
 * The scaling targets: haproxy (test/helpers/load-balancer.ts) in front of the first one, two and three instances
 * on PostgreSQL, measured in the same rounds as the single instance on SQLite. Every instance shares the machine's
 * cores with the others, the database, the stub and the load generator, so the table shows what more processes buy
 * on this machine, not on one machine each.
 */

export const SCALING_INSTANCES = 3

/** One target per instance count; none, after saying why in one line, where haproxy is not installed. */
export async function startScalingTargets (instances: readonly Child[], log: (line: string) => void): Promise<Target[]> {
  if (findHaproxy() === undefined) {
    log('no scaling table: haproxy is not installed (apt-get install haproxy)')
    return []
  }
  const targets: Target[] = []
  for (let count = 1; count <= instances.length; count++) {
    const servers = instances.slice(0, count).map((instance, index) => ({ name: `instance-${index + 1}`, port: instance.port }))
    // Checks once a second: fast enough to start, and little work for instances that are being measured.
    const balancer = await startLoadBalancer(servers, { checkIntervalMs: 1000 })
    ownTeardown(() => balancer.close())
    for (const server of servers) await balancer.waitForServerState(server.name, 'UP')
    targets.push(serviceTarget(behindHaproxy(count), balancer))
  }
  log(`scaling: haproxy in front of 1 to ${instances.length} instances on PostgreSQL`)
  return targets
}
