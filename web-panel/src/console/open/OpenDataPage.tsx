import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Drawer, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { ApiError } from '../api';
import { useConsoleT } from '../i18n';
import type { ConsoleMessageId } from '../messages';
import { useConsole } from '../session';

/** Scopes of an open-data API key (cloud-sync/src/server/open/api-keys.ts). */
const SCOPES = ['records:read', 'records:write', 'events:read', 'export', 'sensitive'] as const;
type Scope = (typeof SCOPES)[number];

interface ApiKeyRow {
  id: string;
  name: string;
  scopes: Scope[];
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}
interface WebhookRow {
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  sensitive: boolean;
  status: 'active' | 'paused' | 'disabled';
  statusText: { 'zh-CN': string; en: string };
  failingSince: number | null;
  lastSuccessAt: number | null;
  pending: number;
  version: number;
}
interface DeliveryRow {
  id: number;
  eventId: string;
  eventType: string;
  status: 'pending' | 'sending' | 'delivered';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
}

const when = (ms: number | null | undefined, locale: string) => (ms ? new Date(ms).toLocaleString(locale) : '—');

/** Open data for the school admin: API keys with scopes (the secret shown once) and webhook subscriptions with their delivery log. */
export default function OpenDataPage() {
  const { t } = useConsoleT();
  return (
    <Tabs
      items={[
        { key: 'keys', label: t('console.open.keys'), children: <ApiKeys /> },
        { key: 'webhooks', label: t('console.open.webhooks'), children: <Webhooks /> },
      ]}
    />
  );
}

/** A secret shown once, in a modal that says so. */
function SecretOnce({ title, secret, onClose, testId }: { title: string; secret: string | null; onClose: () => void; testId: string }) {
  const { t } = useConsoleT();
  return (
    <Modal open={secret !== null} title={title} closable={false} maskClosable={false} footer={<Button type="primary" onClick={onClose}>{t('console.open.close')}</Button>}>
      <Alert type="warning" showIcon title={t('console.open.secret_once')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph copyable code data-testid={testId} style={{ wordBreak: 'break-all' }}>
        {secret ?? ''}
      </Typography.Paragraph>
    </Modal>
  );
}

function useSchoolApi() {
  const { api, schoolId } = useConsole();
  const { locale } = useConsoleT();
  const [error, setError] = useState<string | null>(null);
  const fail = useCallback((err: unknown) => setError(err instanceof ApiError ? err.text[locale] : String(err)), [locale]);
  return { api, base: `/schools/${schoolId ?? ''}`, ready: Boolean(schoolId), error, setError, fail };
}

function ApiKeys() {
  const { t, locale } = useConsoleT();
  const { api, base, ready, error, setError, fail } = useSchoolApi();
  const [rows, setRows] = useState<ApiKeyRow[]>([]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; scopes: Scope[] }>();

  const load = useCallback(async () => {
    if (!ready) return;
    try {
      setRows((await api.get<{ keys: ApiKeyRow[] }>(`${base}/api-keys`)).keys);
    } catch (err) {
      fail(err);
    }
  }, [api, base, ready, fail]);
  useEffect(() => void load(), [load]);

  const create = async () => {
    const v = await form.validateFields();
    try {
      const k = await api.post<{ key: string }>(`${base}/api-keys`, { name: v.name.trim(), scopes: v.scopes });
      setCreating(false);
      setError(null);
      setSecret(k.key);
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const revoke = async (k: ApiKeyRow) => {
    try {
      await api.delete(`${base}/api-keys/${encodeURIComponent(k.id)}`);
      await load();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <div data-testid="api-keys">
      <Typography.Paragraph type="secondary">{t('console.open.keys_hint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => { form.resetFields(); setCreating(true); }}>
          {t('console.open.new_key')}
        </Button>
        <Button onClick={() => void load()}>{t('console.action.reload')}</Button>
      </Space>
      {error && <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} style={{ marginBottom: 16 }} data-testid="open-error" />}
      <Table<ApiKeyRow>
        rowKey="id"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 50 }}
        scroll={{ x: true }}
        columns={[
          { title: t('console.open.key_name'), dataIndex: 'name' },
          { title: t('console.open.key_id'), dataIndex: 'id' },
          { title: t('console.open.scopes'), key: 'scopes', render: (_, k) => k.scopes.map((s) => <Tag key={s} color={s === 'sensitive' ? 'red' : undefined}>{t(`console.open.scope.${s}` as ConsoleMessageId)}</Tag>) },
          { title: t('console.open.created_by'), dataIndex: 'createdBy' },
          { title: t('console.open.created_at'), key: 'createdAt', render: (_, k) => when(k.createdAt, locale) },
          { title: t('console.open.last_used'), key: 'lastUsedAt', render: (_, k) => when(k.lastUsedAt, locale) },
          { title: t('console.open.state'), key: 'state', render: (_, k) => (k.revokedAt ? <Tag color="default">{t('console.open.key_revoked')}</Tag> : <Tag color="green">{t('console.open.key_active')}</Tag>) },
          {
            title: '',
            key: 'actions',
            render: (_, k) =>
              k.revokedAt ? null : (
                <Popconfirm title={t('console.open.revoke_confirm')} onConfirm={() => void revoke(k)}>
                  <Button size="small" danger data-testid={`revoke-key-${k.id}`}>
                    {t('console.open.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal open={creating} title={t('console.open.new_key')} okText={t('console.action.save')} cancelText={t('console.action.cancel')} onOk={() => void create()} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form form={form} layout="vertical" preserve={false} initialValues={{ scopes: ['records:read'] }}>
          <Form.Item name="name" label={t('console.open.key_name')} rules={[{ required: true, whitespace: true, max: 64, message: t('console.signin.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="scopes" label={t('console.open.scopes')} rules={[{ required: true, type: 'array', min: 1, message: t('console.signin.required') }]}>
            <Checkbox.Group options={SCOPES.map((s) => ({ value: s, label: t(`console.open.scope.${s}` as ConsoleMessageId) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <SecretOnce title={t('console.open.key_created')} secret={secret} onClose={() => setSecret(null)} testId="new-key-secret" />
    </div>
  );
}

function Webhooks() {
  const { t, locale } = useConsoleT();
  const { api, base, ready, error, setError, fail } = useSchoolApi();
  const [rows, setRows] = useState<WebhookRow[]>([]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [log, setLog] = useState<{ hook: WebhookRow; rows: DeliveryRow[] } | null>(null);
  const [form] = Form.useForm<{ url: string; eventTypes: string[]; description?: string; sensitive?: boolean }>();

  const load = useCallback(async () => {
    if (!ready) return;
    try {
      setRows((await api.get<{ webhooks: WebhookRow[] }>(`${base}/webhooks`)).webhooks);
    } catch (err) {
      fail(err);
    }
  }, [api, base, ready, fail]);
  useEffect(() => void load(), [load]);

  const openLog = async (hook: WebhookRow) => {
    try {
      const r = await api.get<{ deliveries: DeliveryRow[] }>(`${base}/webhooks/${encodeURIComponent(hook.id)}/deliveries?limit=200`);
      setLog({ hook, rows: r.deliveries });
    } catch (err) {
      fail(err);
    }
  };
  const create = async () => {
    const v = await form.validateFields();
    try {
      const w = await api.post<{ secret: string }>(`${base}/webhooks`, { url: v.url.trim(), eventTypes: v.eventTypes, description: v.description?.trim() ?? '', sensitive: Boolean(v.sensitive) });
      setCreating(false);
      setError(null);
      setSecret(w.secret);
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const setStatus = async (hook: WebhookRow, status: 'active' | 'paused') => {
    try {
      await api.call('PATCH', `${base}/webhooks/${encodeURIComponent(hook.id)}`, { version: hook.version, status });
    } catch (err) {
      fail(err);
    }
    await load();
  };
  const remove = async (hook: WebhookRow) => {
    try {
      await api.delete(`${base}/webhooks/${encodeURIComponent(hook.id)}`);
    } catch (err) {
      fail(err);
    }
    await load();
  };
  const statusColor = (w: WebhookRow) => (w.status === 'disabled' ? 'red' : w.status === 'paused' ? 'default' : w.failingSince ? 'orange' : 'green');
  const deliveryColor = (d: DeliveryRow) => (d.status === 'delivered' ? 'green' : d.attempts > 0 ? 'orange' : 'blue');

  return (
    <div data-testid="webhooks">
      <Typography.Paragraph type="secondary">{t('console.open.hooks_hint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => { form.resetFields(); setCreating(true); }}>
          {t('console.open.new_hook')}
        </Button>
        <Button onClick={() => void load()} data-testid="webhooks-reload">
          {t('console.action.reload')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} style={{ marginBottom: 16 }} data-testid="open-error" />}
      <Table<WebhookRow>
        rowKey="id"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 50 }}
        scroll={{ x: true }}
        columns={[
          { title: t('console.open.url'), dataIndex: 'url' },
          { title: t('console.open.event_types'), key: 'eventTypes', render: (_, w) => w.eventTypes.join('、') },
          { title: t('console.open.state'), key: 'status', render: (_, w) => <Tag color={statusColor(w)}>{w.statusText[locale]}</Tag> },
          { title: t('console.open.pending'), dataIndex: 'pending' },
          { title: t('console.open.failing_since'), key: 'failingSince', render: (_, w) => when(w.failingSince, locale) },
          { title: t('console.open.last_success'), key: 'lastSuccessAt', render: (_, w) => when(w.lastSuccessAt, locale) },
          {
            title: '',
            key: 'actions',
            render: (_, w) => (
              <Space wrap>
                <Button size="small" onClick={() => void openLog(w)}>
                  {t('console.open.log')}
                </Button>
                {w.status === 'active' ? (
                  <Button size="small" onClick={() => void setStatus(w, 'paused')}>
                    {t('console.open.pause')}
                  </Button>
                ) : (
                  <Button size="small" type="primary" onClick={() => void setStatus(w, 'active')}>
                    {t('console.open.enable')}
                  </Button>
                )}
                <Popconfirm title={t('console.open.delete_hook_confirm')} onConfirm={() => void remove(w)}>
                  <Button size="small" danger>
                    {t('console.action.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal open={creating} title={t('console.open.new_hook')} okText={t('console.action.save')} cancelText={t('console.action.cancel')} onOk={() => void create()} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form form={form} layout="vertical" preserve={false} initialValues={{ eventTypes: [], sensitive: false }}>
          <Form.Item name="url" label={t('console.open.url')} rules={[{ required: true, whitespace: true, message: t('console.signin.required') }]}>
            <Input placeholder="https://" />
          </Form.Item>
          <Form.Item name="eventTypes" label={t('console.open.event_types')} extra={t('console.open.event_types_hint')} rules={[{ required: true, type: 'array', min: 1, message: t('console.signin.required') }]}>
            <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} />
          </Form.Item>
          <Form.Item name="description" label={t('console.open.description')}>
            <Input />
          </Form.Item>
          <Form.Item name="sensitive" label={t('console.open.sensitive')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
      <SecretOnce title={t('console.open.hook_created')} secret={secret} onClose={() => setSecret(null)} testId="new-hook-secret" />
      <Drawer open={log !== null} size="large" title={log ? t('console.open.log_title', { url: log.hook.url }) : ''} onClose={() => setLog(null)} destroyOnHidden>
        {log && (
          <div data-testid="delivery-log">
            <Space style={{ marginBottom: 12 }}>
              <Tag color={statusColor(log.hook)}>{log.hook.statusText[locale]}</Tag>
              <Button size="small" onClick={() => void openLog(log.hook)}>
                {t('console.action.reload')}
              </Button>
            </Space>
            <Table<DeliveryRow>
              rowKey="id"
              size="small"
              dataSource={log.rows}
              pagination={{ pageSize: 50 }}
              scroll={{ x: true }}
              columns={[
                { title: t('console.open.event'), dataIndex: 'eventType' },
                { title: t('console.open.state'), key: 'status', render: (_, d) => <Tag color={deliveryColor(d)}>{t(`console.open.delivery.${d.status}` as ConsoleMessageId)}</Tag> },
                { title: t('console.open.attempts'), dataIndex: 'attempts' },
                { title: t('console.open.answer'), key: 'answer', render: (_, d) => (d.lastStatus ? `HTTP ${d.lastStatus}` : (d.lastError ?? '—')) },
                { title: t('console.open.next_attempt'), key: 'next', render: (_, d) => when(d.nextAttemptAt, locale) },
                { title: t('console.open.delivered_at'), key: 'deliveredAt', render: (_, d) => when(d.deliveredAt, locale) },
              ]}
            />
          </div>
        )}
      </Drawer>
    </div>
  );
}
