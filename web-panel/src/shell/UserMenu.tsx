import { Avatar, Button, Dropdown } from 'antd';
import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useSession, useSignedInUser } from '../auth/session';
import { useLocale } from '../i18n/locale';
import { roleLabel } from './roleLabel';

export function UserMenu() {
  const user = useSignedInUser();
  const { signOut } = useSession();
  const { t } = useLocale();
  const roles = user.roles.map((r) => t(roleLabel(r))).join('、');
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'roles', label: t('panel.user.roles', { roles }), disabled: true },
          { type: 'divider' },
          { key: 'signOut', icon: <LogoutOutlined />, label: t('panel.user.signOut'), danger: true },
        ],
        onClick: ({ key }) => {
          if (key === 'signOut') void signOut();
        },
      }}
    >
      <Button type="text" className="user-button" data-testid="user-menu">
        <Avatar size="small" icon={<UserOutlined />} />
        <span className="header-text">{user.displayName}</span>
      </Button>
    </Dropdown>
  );
}
