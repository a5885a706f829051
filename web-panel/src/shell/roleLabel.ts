import type { PanelRole } from '../api/types';
import type { PanelMessageId } from '../i18n/messages';

export function roleLabel(role: PanelRole): PanelMessageId {
  return `panel.role.${role}`;
}
