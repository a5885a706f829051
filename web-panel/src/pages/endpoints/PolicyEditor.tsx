import { useMemo, useState } from 'react';
import { Alert, Button, Divider, Drawer, Flex, Form, Input, Radio, Select, Switch, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { useLocale } from '../../i18n/locale';
import { endpointsApi, type Agent, type PolicyChange, type PolicyContent, type PolicyTarget, type PolicyVersion, type UsbRule } from './api';
import { usbClassOptions } from './labels';
import { PolicyDiffList } from './PolicyDiffList';
import { ID_PATTERN } from './RegisterAgentModal';

const HEX4 = /^[0-9a-fA-F]{4}$/;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$/;

interface RuleRow {
  id: string;
  action: 'allow' | 'block';
  vid?: string;
  pid?: string;
  serial?: string;
  port?: string;
  interfaceClass?: number | null;
  note?: string;
}

interface EditorValues {
  scope: PolicyTarget['scope'];
  group?: string;
  agentId?: string;
  defaultAction: 'deny' | 'allow';
  keystrokeGuard: boolean;
  killSwitch: boolean;
  note?: string;
  rules: RuleRow[];
}

function toRows(rules: UsbRule[]): RuleRow[] {
  return rules.map((r) => ({ id: r.id, action: r.action, ...r.match, interfaceClass: r.match.interfaceClass ?? null, note: r.note }));
}

function blank(s: string | undefined): string | undefined {
  const v = s?.trim();
  return v ? v : undefined;
}

function toContent(v: EditorValues, base: PolicyContent): PolicyContent {
  return {
    killSwitch: v.killSwitch,
    defaultAction: v.defaultAction,
    keystrokeGuard: { enabled: v.keystrokeGuard },
    rules: (v.rules ?? []).map((r) => {
      const match = {
        ...(blank(r.vid) ? { vid: blank(r.vid)!.toLowerCase() } : {}),
        ...(blank(r.pid) ? { pid: blank(r.pid)!.toLowerCase() } : {}),
        ...(blank(r.serial) ? { serial: blank(r.serial) } : {}),
        ...(blank(r.port) ? { port: blank(r.port) } : {}),
        ...(r.interfaceClass !== null && r.interfaceClass !== undefined ? { interfaceClass: r.interfaceClass } : {}),
      };
      return { id: r.id.trim(), action: r.action, match, ...(blank(r.note) ? { note: blank(r.note) } : {}) };
    }),
    // Temporary exceptions written into the base version are kept as they are.
    exceptions: base.exceptions,
    ...(blank(v.note) ? { note: blank(v.note) } : {}),
  };
}

function toTarget(v: EditorValues): PolicyTarget {
  if (v.scope === 'group') return { scope: 'group', group: v.group!.trim() };
  if (v.scope === 'pc') return { scope: 'pc', agentId: v.agentId! };
  return { scope: 'all' };
}

/** Edit a policy version into a new one, preview what changes, push it. */
export function PolicyEditor({ base, agents, onClose }: { base: PolicyVersion | null; agents: Agent[]; onClose: (pushed: boolean) => void }) {
  const { api } = useSession();
  const { locale, t } = useLocale();
  const [form] = Form.useForm<EditorValues>();
  const scope = Form.useWatch('scope', form);
  const killSwitch = Form.useWatch('killSwitch', form);
  const [preview, setPreview] = useState<{ changes: PolicyChange[]; agents: number } | null>(null);
  const [pushed, setPushed] = useState<{ version: number; count: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const groups = useMemo(() => [...new Set(agents.flatMap((a) => a.groups))].sort(), [agents]);

  const initial = useMemo<EditorValues | undefined>(() => {
    if (!base) return undefined;
    const tg = base.target;
    return {
      scope: tg.scope,
      group: tg.scope === 'group' ? tg.group : undefined,
      agentId: tg.scope === 'pc' ? tg.agentId : undefined,
      defaultAction: base.content.defaultAction,
      keystrokeGuard: base.content.keystrokeGuard.enabled,
      killSwitch: base.content.killSwitch,
      note: base.content.note,
      rules: toRows(base.content.rules),
    };
  }, [base]);

  const run = async (what: 'preview' | 'push') => {
    if (!base) return;
    let values: EditorValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { target: toTarget(values), content: toContent(values, base.content) };
      if (what === 'preview') setPreview(await endpointsApi.preview(api, { from: base.version, ...body }));
      else {
        const r = await endpointsApi.push(api, { ...body, basedOn: base.version });
        setPushed({ version: r.policy.version, count: r.agents.length });
      }
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    const didPush = pushed !== null;
    setPreview(null);
    setPushed(null);
    setError(null);
    onClose(didPush);
  };

  return (
    <Drawer open={base !== null} size={760} title={base ? t('panel.endpoints.editor.title', { version: base.version }) : ''} onClose={close} destroyOnHidden>
      {base && initial && (
        <Form form={form} name="policy" layout="vertical" initialValues={initial} onValuesChange={() => setPreview(null)} disabled={pushed !== null} data-testid="policy-editor">
          <Form.Item name="scope" label={t('panel.endpoints.editor.target')}>
            <Radio.Group
              optionType="button"
              options={(['all', 'group', 'pc'] as const).map((s) => ({ value: s, label: t(`panel.endpoints.editor.scope.${s}`) }))}
            />
          </Form.Item>
          {scope === 'group' && (
            <Form.Item name="group" label={t('panel.endpoints.editor.group')} rules={[{ required: true, pattern: ID_PATTERN, message: t('panel.endpoints.register.agentIdInvalid') }]}>
              <Input list="endpoint-groups" autoComplete="off" />
            </Form.Item>
          )}
          <datalist id="endpoint-groups">
            {groups.map((g) => (
              <option key={g} value={g} />
            ))}
          </datalist>
          {scope === 'pc' && (
            <Form.Item name="agentId" label={t('panel.endpoints.editor.pc')} rules={[{ required: true, message: t('panel.endpoints.register.required') }]}>
              <Select showSearch={{ optionFilterProp: 'label' }} options={agents.map((a) => ({ value: a.agentId, label: `${a.displayName} (${a.agentId})` }))} />
            </Form.Item>
          )}
          <Form.Item name="defaultAction" label={t('panel.endpoints.editor.defaultAction')}>
            <Radio.Group options={(['deny', 'allow'] as const).map((d) => ({ value: d, label: t(`panel.endpoints.default.${d}`) }))} />
          </Form.Item>
          <Flex gap="large" wrap="wrap">
            <Form.Item name="keystrokeGuard" valuePropName="checked" label={t('panel.endpoints.editor.keystrokeGuard')}>
              <Switch />
            </Form.Item>
            <Form.Item name="killSwitch" valuePropName="checked" label={t('panel.endpoints.editor.killSwitch')}>
              <Switch />
            </Form.Item>
          </Flex>
          {killSwitch && <Alert type="error" showIcon title={t('panel.endpoints.editor.killSwitchWarning')} style={{ marginBottom: 16 }} />}

          <Divider titlePlacement="start">{t('panel.endpoints.editor.rules')}</Divider>
          <Form.List name="rules">
            {(fields, { add, remove }) => (
              <Flex vertical gap="small">
                {fields.map((field) => (
                  <Flex key={field.key} gap="small" wrap="wrap" align="start" className="policy-rule-row">
                    <Form.Item name={[field.name, 'id']} rules={[{ required: true, pattern: RULE_ID, message: t('panel.endpoints.register.agentIdInvalid') }]} style={{ width: 130, marginBottom: 0 }}>
                      <Input placeholder={t('panel.endpoints.editor.ruleId')} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'action']} style={{ width: 90, marginBottom: 0 }}>
                      <Select options={[{ value: 'allow', label: t('panel.endpoints.editor.allow') }, { value: 'block', label: t('panel.endpoints.editor.block') }]} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'vid']} rules={[{ pattern: HEX4, message: '0781' }]} style={{ width: 90, marginBottom: 0 }}>
                      <Input placeholder={t('panel.endpoints.editor.vid')} maxLength={4} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'pid']} rules={[{ pattern: HEX4, message: '5567' }]} style={{ width: 90, marginBottom: 0 }}>
                      <Input placeholder={t('panel.endpoints.editor.pid')} maxLength={4} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'serial']} style={{ width: 150, marginBottom: 0 }}>
                      <Input placeholder={t('panel.endpoints.editor.serial')} maxLength={128} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'interfaceClass']} style={{ width: 150, marginBottom: 0 }}>
                      <Select
                        allowClear
                        placeholder={t('panel.endpoints.editor.interfaceClass')}
                        options={usbClassOptions(locale)}
                      />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label="remove" />
                  </Flex>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ id: `rule-${fields.length + 1}`, action: 'allow' })} data-testid="add-rule">
                  {t('panel.endpoints.editor.addRule')}
                </Button>
                {base.content.exceptions.length > 0 && <Typography.Text type="secondary">{t('panel.endpoints.editor.exceptionsKept', { count: base.content.exceptions.length })}</Typography.Text>}
              </Flex>
            )}
          </Form.List>
          <Form.Item name="note" label={t('panel.endpoints.editor.note')} style={{ marginTop: 16 }}>
            <Input.TextArea maxLength={500} autoSize={{ minRows: 1, maxRows: 4 }} />
          </Form.Item>

          {error && <Alert type="error" showIcon title={error.text[locale]} style={{ marginBottom: 16 }} data-testid="policy-error" />}
          {preview && (
            <Flex vertical gap="small" style={{ marginBottom: 16 }} data-testid="policy-preview">
              <Typography.Text strong>{t('panel.endpoints.editor.reaches', { count: preview.agents })}</Typography.Text>
              <PolicyDiffList changes={preview.changes} empty={t('panel.endpoints.editor.noChanges', { version: base.version })} />
            </Flex>
          )}
          {pushed && <Alert type="success" showIcon title={t('panel.endpoints.editor.pushed', { version: pushed.version, count: pushed.count })} style={{ marginBottom: 16 }} data-testid="policy-pushed" />}
          <Flex gap="middle" justify="flex-end">
            {pushed ? (
              <Button type="primary" disabled={false} onClick={close}>
                {t('panel.endpoints.config.done')}
              </Button>
            ) : (
              <>
                <Button onClick={() => void run('preview')} loading={busy} data-testid="policy-preview-button">
                  {t('panel.endpoints.editor.preview')}
                </Button>
                <Button type="primary" danger={killSwitch} onClick={() => void run('push')} loading={busy} disabled={!preview} data-testid="policy-push-button">
                  {t('panel.endpoints.editor.push')}
                </Button>
              </>
            )}
          </Flex>
        </Form>
      )}
    </Drawer>
  );
}
