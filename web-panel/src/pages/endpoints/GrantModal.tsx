import { useState } from 'react';
import { Alert, Form, Input, InputNumber, Modal, Radio, Typography } from 'antd';
import type { ApiError } from '../../api/client';
import { useLocale } from '../../i18n/locale';
import type { DeviceIdentity } from './api';
import { deviceLabel } from './labels';

export interface GrantChoice {
  kind: 'temporary' | 'permanent';
  durationMinutes: number;
  grantedTo?: string;
}

/**
 * How long a device may be used on one PC: temporary (lapses on the PC's own clock, even
 * offline) or permanent. Used for a teacher's request and for "allow this device".
 */
export function GrantModal(props: {
  open: boolean;
  agentId: string;
  device: DeviceIdentity | null;
  title?: string;
  defaultMinutes: number;
  askGrantedTo: boolean;
  onSubmit: (choice: GrantChoice) => Promise<void>;
  onClose: () => void;
}) {
  const { locale, t } = useLocale();
  const [form] = Form.useForm<GrantChoice>();
  const kind = Form.useWatch('kind', form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const ok = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(v);
      props.onClose();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={props.open}
      title={props.title ?? (props.device ? t('panel.endpoints.grant.title', { agentId: props.agentId, device: deviceLabel(props.device) }) : '')}
      okText={t('panel.endpoints.grant.submit')}
      cancelText={t('panel.endpoints.action.cancel')}
      okButtonProps={{ loading: busy, 'data-testid': 'grant-submit' }}
      onOk={() => void ok()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      {props.device && !props.device.serial && <Alert type="info" showIcon title={t('panel.endpoints.noSerial', { port: props.device.port })} style={{ marginBottom: 16 }} />}
      <Form form={form} name="grant" layout="vertical" initialValues={{ kind: 'temporary', durationMinutes: props.defaultMinutes }} preserve={false}>
        <Form.Item name="kind" label={t('panel.endpoints.grant.kind')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'temporary', label: t('panel.endpoints.grant.temporary') },
              { value: 'permanent', label: t('panel.endpoints.grant.permanent') },
            ]}
          />
        </Form.Item>
        {kind !== 'permanent' && (
          <Form.Item name="durationMinutes" label={t('panel.endpoints.grant.minutes')} extra={t('panel.endpoints.grant.offline')} rules={[{ required: true, type: 'integer', min: 1, max: 527_040 }]}>
            <InputNumber min={1} max={527_040} step={30} precision={0} style={{ width: 160 }} />
          </Form.Item>
        )}
        {props.askGrantedTo && (
          <Form.Item name="grantedTo" label={t('panel.endpoints.grant.grantedTo')}>
            <Input maxLength={64} />
          </Form.Item>
        )}
      </Form>
      {error && <Alert type="error" showIcon title={error.text[locale]} />}
      {props.device && <Typography.Text type="secondary">{props.device.manufacturer ?? ''}</Typography.Text>}
    </Modal>
  );
}
