import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Form, Input, Modal, Select, Space, Switch, Table, Tabs, Tag } from 'antd';
import { ApiError } from '../api';
import { useConsoleT } from '../i18n';
import type { ConsoleMessageId } from '../messages';
import { useConsole } from '../session';

interface Account {
  id: string;
  username: string;
  displayName: string;
  personKey: string | null;
  phone: string | null;
  roles: string[];
  classes: string[];
  disabled: boolean;
  hasPassword: boolean;
  lockedUntil: number | null;
  version: number;
}
interface AuditEntry {
  id: number;
  at: number;
  actorName: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

const SCHOOL_ROLES = ['school_admin', 'office', 'head_teacher', 'teacher', 'transport_manager', 'nurse', 'facility_supervisor', 'it'] as const;
const DISTRICT_ROLES = ['district_admin', 'district_viewer'] as const;
const roleLabel = (r: string) => `console.staff_role.${r}` as ConsoleMessageId;

interface AccountForm {
  username?: string;
  displayName: string;
  password?: string;
  phone?: string;
  personKey?: string;
  roles: string[];
  classes?: string;
  disabled?: boolean;
}

/** Staff accounts of the own school (or district) and the audit log: who did what, when. */
export default function AccountsPage() {
  const { t } = useConsoleT();
  return (
    <Tabs
      items={[
        { key: 'accounts', label: t('console.menu.accounts'), children: <Accounts /> },
        { key: 'audit', label: t('console.audit.title'), children: <Audit /> },
      ]}
    />
  );
}

function Accounts() {
  const { api, state } = useConsole();
  const { t, locale } = useConsoleT();
  const [rows, setRows] = useState<Account[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Account | 'new' | null>(null);
  const [form] = Form.useForm<AccountForm>();
  const district = state.status === 'signedIn' && !state.account.schoolId;
  const roles = district ? DISTRICT_ROLES : SCHOOL_ROLES;
  const fail = useCallback((err: unknown) => setError(err instanceof ApiError ? err.text[locale] : String(err)), [locale]);

  const load = useCallback(async () => {
    try {
      setRows((await api.get<{ accounts: Account[] }>('/accounts')).accounts);
    } catch (err) {
      fail(err);
    }
  }, [api, fail]);
  useEffect(() => void load(), [load]);

  const submit = async () => {
    const v = await form.validateFields();
    const classes = (v.classes ?? '').split(/[、,，\s]+/).filter(Boolean);
    try {
      if (editing === 'new') {
        await api.post('/accounts', {
          username: v.username!.trim(),
          displayName: v.displayName.trim(),
          roles: v.roles,
          classes,
          ...(v.password ? { password: v.password } : {}),
          ...(v.phone ? { phone: v.phone.trim() } : {}),
          ...(v.personKey ? { personKey: v.personKey.trim() } : {}),
        });
      } else if (editing) {
        await api.call('PATCH', `/accounts/${editing.id}`, {
          version: editing.version,
          displayName: v.displayName.trim(),
          roles: v.roles,
          classes,
          phone: v.phone?.trim() || null,
          personKey: v.personKey?.trim() || null,
          disabled: !!v.disabled,
        });
        if (v.password) await api.put(`/accounts/${editing.id}/password`, { password: v.password });
      }
      setEditing(null);
      setError(null);
      await load();
    } catch (err) {
      fail(err);
      await load();
    }
  };

  return (
    <div data-testid="accounts">
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => { setEditing('new'); form.resetFields(); }}>
          {t('console.action.add')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} style={{ marginBottom: 16 }} data-testid="account-error" />}
      <Table<Account>
        rowKey="id"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 50 }}
        scroll={{ x: true }}
        columns={[
          { title: t('console.signin.username'), dataIndex: 'username' },
          { title: t('console.field.name'), dataIndex: 'displayName' },
          { title: t('console.accounts.roles'), key: 'roles', render: (_, a) => a.roles.map((r) => <Tag key={r}>{t(roleLabel(r))}</Tag>) },
          { title: t('console.accounts.classes'), key: 'classes', render: (_, a) => a.classes.join('、') || '—' },
          { title: t('console.field.phone'), key: 'phone', render: (_, a) => a.phone ?? '—' },
          { title: t('console.accounts.state'), key: 'state', render: (_, a) => (a.disabled ? <Tag color="red">{t('console.accounts.disabled')}</Tag> : a.lockedUntil && a.lockedUntil > Date.now() ? <Tag color="orange">{t('console.accounts.locked')}</Tag> : <Tag color="green">{t('console.cards.active')}</Tag>) },
          {
            title: '',
            key: 'edit',
            render: (_, a) => (
              <Button size="small" onClick={() => { setEditing(a); form.resetFields(); form.setFieldsValue({ displayName: a.displayName, roles: a.roles, classes: a.classes.join('、'), phone: a.phone ?? '', personKey: a.personKey ?? '', disabled: a.disabled }); }}>
                {t('console.action.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('console.action.add') : editing?.username} okText={t('console.action.save')} cancelText={t('console.action.cancel')} onOk={() => void submit()} onCancel={() => setEditing(null)} destroyOnHidden>
        <Form form={form} layout="vertical" preserve={false}>
          {editing === 'new' && (
            <Form.Item name="username" label={t('console.signin.username')} rules={[{ required: true, whitespace: true, message: t('console.signin.required') }]}>
              <Input autoComplete="off" />
            </Form.Item>
          )}
          <Form.Item name="displayName" label={t('console.field.name')} rules={[{ required: true, whitespace: true, message: t('console.signin.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="roles" label={t('console.accounts.roles')} rules={[{ required: true, message: t('console.signin.required') }]}>
            <Select mode="multiple" optionFilterProp="label" options={roles.map((r) => ({ value: r, label: t(roleLabel(r)) }))} />
          </Form.Item>
          {!district && (
            <Form.Item name="classes" label={t('console.accounts.classes')} extra={t('console.accounts.classes_hint')}>
              <Input />
            </Form.Item>
          )}
          <Form.Item name="password" label={editing === 'new' ? t('console.signin.password') : t('console.accounts.new_password')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="phone" label={t('console.field.phone')}>
            <Input inputMode="tel" />
          </Form.Item>
          {!district && (
            <Form.Item name="personKey" label={t('console.field.personId')}>
              <Input />
            </Form.Item>
          )}
          {editing !== 'new' && (
            <Form.Item name="disabled" label={t('console.accounts.disabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </div>
  );
}

function Audit() {
  const { api } = useConsole();
  const { t, locale } = useConsoleT();
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<{ entries: AuditEntry[] }>('/audit?limit=200').then(
      (r) => setRows(r.entries),
      (err: unknown) => setError(err instanceof ApiError ? err.text[locale] : String(err)),
    );
  }, [api, locale]);
  return (
    <div data-testid="audit">
      {error && <Alert type="error" showIcon title={error} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 50 }}
        scroll={{ x: true }}
        columns={[
          { title: t('console.audit.at'), key: 'at', render: (_, e) => new Date(e.at).toLocaleString(locale) },
          { title: t('console.audit.who'), dataIndex: 'actorName' },
          { title: t('console.audit.action'), dataIndex: 'action' },
          { title: t('console.audit.target'), key: 'target', render: (_, e) => e.target ?? '—' },
          { title: t('console.audit.detail'), key: 'detail', render: (_, e) => <code style={{ fontSize: 12 }}>{JSON.stringify(e.detail)}</code> },
        ]}
      />
    </div>
  );
}
