import { useState, type ReactNode } from 'react';
import { Alert, Button, Flex, Form, Input, Modal } from 'antd';
import type { ApiError } from '../../../api/client';
import { useAccessText } from './useAccessText';
import type { AccessTextId } from './useAccessText';

/** The edge stores at most this many characters of a reason (protocol: text(200)). */
const MAX_REASON = 200;

export interface ReasonDialogProps {
  open: boolean;
  title: string;
  /** What the action does, above the reason. */
  children?: ReactNode;
  /** One-tap reasons for the common cases; the guard can still type any other. */
  presets: readonly AccessTextId[];
  submitLabel: string;
  danger?: boolean;
  /** Resolves when the edge accepted; a rejection (ApiError) is shown in the dialog. */
  onSubmit: (why: string) => Promise<void>;
  onClose: () => void;
  testId: string;
}

/**
 * Asks why before an audited action (override, revoking a card, the fire alarm). The
 * reason is required: the edge records it with the user's name.
 */
export function ReasonDialog(props: ReasonDialogProps) {
  const { locale, t } = useAccessText();
  const [form] = Form.useForm<{ why: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function submit({ why }: { why: string }) {
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(why.trim());
      props.onClose();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={props.open}
      title={props.title}
      onCancel={props.onClose}
      width={560}
      footer={null}
      afterClose={() => {
        form.resetFields();
        setError(null);
      }}
    >
      <Flex vertical gap="middle" data-testid={props.testId}>
        {props.children}
        <Form form={form} layout="vertical" size="large" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item
            name="why"
            label={t('panel.access.reason')}
            extra={t('panel.access.reasonAudited')}
            rules={[{ required: true, whitespace: true, message: t('panel.access.reasonRequired') }]}
          >
            <Input.TextArea rows={2} maxLength={MAX_REASON} showCount autoFocus data-testid={`${props.testId}-why`} />
          </Form.Item>
          <Flex wrap="wrap" gap="small" className="reason-presets">
            {props.presets.map((id) => (
              <Button key={id} autoInsertSpace={false} onClick={() => form.setFieldsValue({ why: t(id) })}>
                {t(id)}
              </Button>
            ))}
          </Flex>
          {error && <Alert type="error" showIcon title={error.text[locale]} className="reason-error" data-testid={`${props.testId}-error`} />}
          <Flex justify="flex-end" gap="middle" className="reason-actions">
            <Button size="large" onClick={props.onClose}>
              {t('panel.access.cancel')}
            </Button>
            <Button size="large" type="primary" danger={props.danger} htmlType="submit" loading={busy} data-testid={`${props.testId}-submit`}>
              {props.submitLabel}
            </Button>
          </Flex>
        </Form>
      </Flex>
    </Modal>
  );
}
