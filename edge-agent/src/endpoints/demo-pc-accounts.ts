import type { MqttClientRepo } from '../store/mqtt-clients.js';
import { hashPassword, randomSecret } from '../security/password.js';

/** The demo campus's two school PCs (simulated in the demo's device process by DemoSchoolPcs). */
export const DEMO_PCS = [
  { agentId: 'pc-lab1-01', displayName: '机房1 01号机', hostname: 'LAB1-PC01' },
  { agentId: 'pc-office-t3', displayName: '教师办公室 3号机', hostname: 'OFFICE-T3' },
] as const;

/**
 * Registers the demo PCs as broker clients with fresh passwords on the edge's side (as
 * the IT admin's provisioning does), returning the passwords for the simulated agents.
 */
export async function provisionDemoPcs(mqttClients: MqttClientRepo): Promise<Record<string, string>> {
  const passwords: Record<string, string> = {};
  for (const pc of DEMO_PCS) {
    const password = randomSecret(18);
    mqttClients.upsert({ clientId: pc.agentId, role: 'pc-agent', displayName: pc.displayName, passwordHash: await hashPassword(password) });
    passwords[pc.agentId] = password;
  }
  return passwords;
}
