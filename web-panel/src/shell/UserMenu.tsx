import { Avatar, Button, Dropdown } from 'antd';
import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useSession, useSignedInUser } from '../auth/session';
import { useLocale } from '../i18n/locale';
import { roleLabel } from './roleLabel';

/** The signed-in user; `compact` (the phone's top bar) shows only the avatar and names the user in the menu. */
export function UserMenu({ compact = false }: { compact?: boolean }) {
  const user = useSignedInUser();
  const { signOut } = useSession();
  const { t } = useLocale();
  const roles = user.roles.map((r) => t(roleLabel(r))).join('、');
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          ...(compact ? [{ key: 'name', label: user.displayName, disabled: true }] : []),
          { key: 'roles', label: t('panel.user.roles', { roles }), disabled: true },
          { type: 'divider' },
          { key: 'signOut', icon: <LogoutOutlined />, label: t('panel.user.signOut'), danger: true },
        ],
        onClick: ({ key }) => {
          if (key === 'signOut') void signOut();
        },
      }}
    >
      <Button type="text" className="user-button" data-testid="user-menu" aria-label={compact ? user.displayName : undefined}>
        <Avatar size="small" icon={<UserOutlined />} />
        {!compact && <span className="header-text">{user.displayName}</span>}
      </Button>
    </Dropdown>
  );
}
