import { useState } from 'react';
import { Alert, Button, Flex, Form, Input, Modal, Select } from 'antd';
import type { LeaveView } from '@campus/protocol/access/index';
import { registerLeave } from '../../../api/access';
import type { ApiError } from '../../../api/client';
import { formErrorText } from '../../../api/problems';
import { useSession } from '../../../auth/session';
import { usePersonSearch } from '../shared/usePersonSearch';
import { useAccessText } from '../shared/useAccessText';
import { defaultLeaveWindow, leaveRequest, type LeaveForm } from './schedule';

/** The edge keeps at most this many characters (NewLeaveSchema). */
const MAX_REASON = 200;
const MAX_APPROVER = 32;

export interface LeaveDialogProps {
  open: boolean;
  /** The school's time zone: the form's times are school time. */
  timeZone: string;
  onClose: () => void;
  onRegistered: (leave: LeaveView) => void;
  /** The edge refused: the page may say more than the form (e.g. the cloud owns leaves). */
  onRefused: (err: ApiError) => void;
}

/** 登记请假: a student found by name or 学号, the window in school time, why and who approved it. */
export function LeaveDialog(props: LeaveDialogProps) {
  const { api } = useSession();
  const { locale, t } = useAccessText();
  const students = usePersonSearch('student');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Each new form starts from "now": remounting (a new key) applies fresh initial values.
  const [round, setRound] = useState(0);

  const fieldLabels = {
    personId: t('panel.access.leave.student'),
    startsAt: t('panel.access.leave.startsAt'),
    endsAt: t('panel.access.leave.endsAt'),
    reason: t('panel.access.leave.reason'),
    approvedBy: t('panel.access.leave.approvedBy'),
  };
  const required = (field: string) => ({ required: true, whitespace: true, message: t('panel.access.leave.required', { field }) });

  async function submit(values: LeaveForm) {
    const built = leaveRequest(values);
    if ('problem' in built) return setError(t('panel.access.leave.badWindow'));
    setBusy(true);
    setError(null);
    try {
      props.onRegistered(await registerLeave(api, built.request));
      props.onClose();
    } catch (err) {
      setError(formErrorText(err as ApiError, locale, fieldLabels));
      props.onRefused(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const options = students.options.map((o) => ({ value: o.value, label: o.classLabel ? `${o.label} · ${o.classLabel}` : o.label }));

  return (
    <Modal
      open={props.open}
      title={t('panel.access.leave.title')}
      onCancel={props.onClose}
      afterClose={() => {
        setError(null);
        setRound((r) => r + 1);
      }}
      footer={null}
      width={640}
    >
      <Form<LeaveForm>
        key={round}
        layout="vertical"
        size="large"
        onFinish={submit}
        requiredMark={false}
        disabled={busy}
        initialValues={defaultLeaveWindow(Date.now(), props.timeZone)}
        data-testid="leave-form"
      >
        <Alert type="info" showIcon title={t('panel.access.leave.explain', { zone: props.timeZone })} className="leave-explain" />
        <Form.Item name="personId" label={t('panel.access.leave.student')} rules={[{ required: true, message: t('panel.access.leave.chooseStudent') }]}>
          <Select
            showSearch={{ filterOption: false, onSearch: students.search }}
            placeholder={t('panel.access.leave.studentSearch')}
            options={options}
            loading={students.searching}
            notFoundContent={null}
            data-testid="leave-student"
          />
        </Form.Item>
        <Flex gap="middle" wrap="wrap">
          <Form.Item name="startsAt" label={t('panel.access.leave.startsAt')} rules={[required(t('panel.access.leave.startsAt'))]} className="pass-field">
            <Input type="datetime-local" id="leave-starts-at" />
          </Form.Item>
          <Form.Item name="endsAt" label={t('panel.access.leave.endsAt')} rules={[required(t('panel.access.leave.endsAt'))]} className="pass-field">
            <Input type="datetime-local" id="leave-ends-at" />
          </Form.Item>
        </Flex>
        <Form.Item name="reason" label={t('panel.access.leave.reason')} rules={[required(t('panel.access.leave.reason'))]}>
          <Input.TextArea rows={2} maxLength={MAX_REASON} showCount id="leave-reason" />
        </Form.Item>
        <Form.Item name="approvedBy" label={t('panel.access.leave.approvedBy')} rules={[required(t('panel.access.leave.approvedBy'))]}>
          <Input maxLength={MAX_APPROVER} placeholder={t('panel.access.leave.approvedByHint')} id="leave-approved-by" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} className="reason-error" data-testid="leave-error" />}
        <Flex justify="flex-end" gap="middle" className="reason-actions">
          <Button size="large" onClick={props.onClose}>
            {t('panel.access.cancel')}
          </Button>
          <Button size="large" type="primary" htmlType="submit" loading={busy} data-testid="leave-submit">
            {t('panel.access.leave.submit')}
          </Button>
        </Flex>
      </Form>
    </Modal>
  );
}
