/** The USB endpoint guard on the edge: see docs/endpoints-api.md. */
export { EndpointsModule, type EndpointsModuleDeps } from './module.js';
export { endpointRoutes } from './routes.js';
export { EndpointGuardService, policyState, type PolicyState } from './service.js';
export { ENDPOINT_MIGRATIONS } from './migrations.js';
export { ENDPOINT_EVENTS, ENDPOINT_REASON } from './messages.js';
export { buildAgentConfig, type AgentConfigFile } from './agent-config.js';
export { diffPolicies, type PolicyChange } from './policy-diff.js';
export { composeAgentPolicy, grantMatch, resolvePolicyVersion } from './compose.js';
export { PolicyContentSchema, type PolicyContent } from './policy-content.js';
