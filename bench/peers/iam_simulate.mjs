// Decide requests with @cloud-copilot/iam-simulate (the peer of bench/bench_peers.py).
// stdin: {"sets": [{"identity": [policy documents]}], "pairs": [[set index, request], ...]}
// stdout: {"decisions": ["Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "error", ...],
//          "cpu_s": CPU seconds of the simulations (process.cpuUsage), "load_s": CPU of the import}
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const t0 = process.cpuUsage()
const require = createRequire(process.env.IAM_SIMULATE_DIR + '/')
const { runSimulation } = require('@cloud-copilot/iam-simulate')
const t1 = process.cpuUsage(t0)
const input = JSON.parse(readFileSync(0, 'utf8'))
const decisions = []
const start = process.cpuUsage()
for (const [k, req] of input.pairs) {
  const set = input.sets[k]
  const account = req.principal.account
  const simulation = {
    identityPolicies: set.identity.map((policy, i) => ({ name: `p${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      principal: req.principal.arn,
      action: req.action,
      resource: { resource: req.resource, accountId: account },
      contextVariables: req.context,
    },
  }
  const response = await runSimulation(simulation, {})
  decisions.push(response.resultType === 'error' ? 'error' : response.overallResult)
}
const used = process.cpuUsage(start)
process.stdout.write(JSON.stringify({
  decisions,
  cpu_s: (used.user + used.system) / 1e6,
  load_s: (t1.user + t1.system) / 1e6,
}))
