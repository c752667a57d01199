// Decide oracle cases with @cloud-copilot/iam-simulate (pinned in tests/oracle/package.json).
// stdin:  {"cases": [{"identity": [doc], "boundary": doc|null, "session": doc|null,
//          "scp": [[doc]], "rcp": [[doc]], "resource_policy": doc|null, "principal": "<arn>",
//          "action": "...", "resource": "...", "resource_account": "...", "context": {...}}]}
// stdout: {"decisions": ["Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "error: ...", ...]}
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(dirname(fileURLToPath(import.meta.url)) + '/')
const { runSimulation } = require('@cloud-copilot/iam-simulate')

const named = (docs, prefix) => docs.map((policy, i) => ({ name: `${prefix}${i}`, policy }))
const levels = (lvls, prefix) =>
  lvls.map((docs, k) => ({ orgIdentifier: `${prefix}-${k}`, policies: named(docs, `${prefix}${k}_`) }))

const input = JSON.parse(readFileSync(0, 'utf8'))
const decisions = []
for (const c of input.cases) {
  const simulation = {
    identityPolicies: named(c.identity, 'id'),
    serviceControlPolicies: levels(c.scp, 'scp'),
    resourceControlPolicies: levels(c.rcp, 'rcp'),
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resource_account },
      contextVariables: c.context,
    },
  }
  if (c.boundary) simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: c.boundary }]
  if (c.session) simulation.sessionPolicy = c.session
  if (c.resource_policy) simulation.resourcePolicy = c.resource_policy
  try {
    const response = await runSimulation(simulation, {})
    decisions.push(
      response.resultType === 'error'
        ? 'error: ' + JSON.stringify(response.errors).slice(0, 300)
        : response.overallResult,
    )
  } catch (e) {
    decisions.push('error: ' + String(e).slice(0, 300))
  }
}
process.stdout.write(JSON.stringify({ decisions }))
