import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Select } from 'antd';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { useLocale } from '../../i18n/locale';
import { endpointsApi, type Provisioned } from './api';
import { ConfigFileResult } from './ConfigFileResult';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface FormValues {
  agentId: string;
  displayName: string;
  groups?: string[];
  edgeHost?: string;
}

/** 登记新终端: credentials and the config file, which is shown once and then gone. */
export function RegisterAgentModal({ open, groups, onClose }: { open: boolean; groups: string[]; onClose: (changed: boolean) => void }) {
  const { api } = useSession();
  const { locale, t } = useLocale();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<Provisioned | null>(null);

  const close = () => {
    const changed = result !== null;
    setResult(null);
    setError(null);
    form.resetFields();
    onClose(changed);
  };

  const submit = async (v: FormValues) => {
    setBusy(true);
    setError(null);
    try {
      setResult(await endpointsApi.register(api, { agentId: v.agentId.trim(), displayName: v.displayName.trim(), groups: v.groups ?? [], edgeHost: v.edgeHost?.trim() || undefined }));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={result ? t('panel.endpoints.config.title', { agentId: result.config.agentId }) : t('panel.endpoints.register.title')}
      footer={null}
      onCancel={close}
      destroyOnHidden
      maskClosable={false}
      width={640}
    >
      {result ? (
        <ConfigFileResult provisioned={result} onDone={close} />
      ) : (
        <Form form={form} name="register" layout="vertical" onFinish={(v) => void submit(v)} data-testid="register-form" requiredMark={false}>
          <Form.Item
            name="agentId"
            label={t('panel.endpoints.register.agentId')}
            extra={t('panel.endpoints.register.agentIdHint')}
            rules={[
              { required: true, message: t('panel.endpoints.register.required') },
              { pattern: ID_PATTERN, message: t('panel.endpoints.register.agentIdInvalid') },
            ]}
          >
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label={t('panel.endpoints.register.displayName')} rules={[{ required: true, whitespace: true, message: t('panel.endpoints.register.required') }]}>
            <Input placeholder={t('panel.endpoints.register.displayNameHint')} maxLength={64} />
          </Form.Item>
          <Form.Item name="groups" label={t('panel.endpoints.register.groups')} extra={t('panel.endpoints.groups.hint')}>
            <Select mode="tags" options={groups.map((g) => ({ value: g, label: g }))} tokenSeparators={[',', ' ']} />
          </Form.Item>
          <Form.Item name="edgeHost" label={t('panel.endpoints.register.edgeHost')} extra={t('panel.endpoints.register.edgeHostHint')}>
            <Input placeholder={window.location.hostname} autoComplete="off" />
          </Form.Item>
          {error && <Alert type="error" showIcon title={error.text[locale]} style={{ marginBottom: 16 }} data-testid="register-error" />}
          <Button type="primary" htmlType="submit" size="large" loading={busy} block>
            {t('panel.endpoints.register.submit')}
          </Button>
        </Form>
      )}
    </Modal>
  );
}
