import { useState } from 'react';
import { Alert, Button, Descriptions, Flex, Form, Input, Modal, Select, Switch, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import type { GatesOverview, IssuedPass } from '@campus/protocol/access/index';
import { issueVisitorPass } from '../../../api/access';
import type { ApiError } from '../../../api/client';
import { formErrorText } from '../../../api/problems';
import { useSession } from '../../../auth/session';
import { fullDateTime } from '../shared/format';
import { usePersonSearch } from '../shared/usePersonSearch';
import { useAccessText } from '../shared/useAccessText';
import { defaultValidity, visitorPassRequest, type PassFormProblem, type VisitorPassForm } from './passForm';
import { PassQr } from './PassQr';

export interface VisitorPassDialogProps {
  open: boolean;
  places: GatesOverview | null;
  /** The school's time zone: the form's times are school time. */
  timeZone: string;
  onClose: () => void;
  /** The edge signed a pass (the list behind the dialog may show it). */
  onIssued?: (issued: IssuedPass) => void;
  /** The edge refused: the page may say more than the form (e.g. the cloud owns passes). */
  onRefused?: (err: ApiError) => void;
}

/** 签发访客证: the form, then the signed pass with its QR to show on a phone or print. */
export function VisitorPassDialog(props: VisitorPassDialogProps) {
  const { api } = useSession();
  const { locale, t } = useAccessText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ issued: IssuedPass; hostLabel: string } | null>(null);
  const issued = result?.issued ?? null;
  const host = usePersonSearch();
  const gates = props.places?.gates ?? [];
  const zones = props.places?.zones ?? [];
  // Each new form starts from "now": remounting (a new key) applies fresh initial values.
  const [round, setRound] = useState(0);

  const problemText = (p: PassFormProblem) => t(p === 'needPlace' ? 'panel.access.pass.needPlace' : 'panel.access.pass.badWindow');
  const fieldLabels = {
    visitorName: t('panel.access.pass.visitorName'),
    phone: t('panel.access.pass.phone'),
    purpose: t('panel.access.pass.purpose'),
    hostPersonId: t('panel.access.pass.host'),
    validFrom: t('panel.access.pass.validFrom'),
    validUntil: t('panel.access.pass.validUntil'),
    gates: t('panel.access.pass.gates'),
    zones: t('panel.access.pass.zones'),
  };
  const required = (field: string) => ({ required: true, whitespace: true, message: t('panel.access.pass.required', { field }) });

  async function submit(values: VisitorPassForm) {
    const built = visitorPassRequest(values);
    if ('problem' in built) return setError(problemText(built.problem));
    setBusy(true);
    setError(null);
    try {
      const pass = await issueVisitorPass(api, built.request);
      // The answer names the host by id only; the form still knows the name the guard picked.
      const hostLabel = host.options.find((o) => o.value === pass.pass.hostPersonId)?.label ?? pass.pass.hostPersonId ?? '';
      setResult({ issued: pass, hostLabel });
      props.onIssued?.(pass);
    } catch (err) {
      setError(formErrorText(err as ApiError, locale, fieldLabels));
      props.onRefused?.(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  function reset() {
    setResult(null);
    setError(null);
    setRound((r) => r + 1);
  }

  const placeNames = (ids: readonly string[], list: ReadonlyArray<{ id: string; name: string }>) =>
    ids.map((id) => list.find((p) => p.id === id)?.name ?? id).join('、');

  return (
    <Modal open={props.open} title={t('panel.access.pass.title')} onCancel={props.onClose} afterClose={reset} footer={null} width={720}>
      {issued ? (
        <Flex vertical gap="middle" className="pass-print" data-testid="pass-issued">
          <Typography.Title level={3}>{t('panel.access.pass.issued', { passId: issued.pass.id })}</Typography.Title>
          <div className="pass-card">
            <PassQr credential={issued.credential} />
            <Descriptions
              className="pass-facts"
              column={1}
              size="small"
              items={[
                { key: 'name', label: t('panel.access.pass.visitorName'), children: issued.pass.visitorName },
                { key: 'host', label: t('panel.access.pass.host'), children: result?.hostLabel },
                {
                  key: 'valid',
                  label: t('panel.access.pass.validFrom'),
                  children: t('panel.access.pass.validity', { from: fullDateTime(issued.pass.validFrom, props.timeZone), until: fullDateTime(issued.pass.validUntil, props.timeZone) }),
                },
                { key: 'uses', label: t('panel.access.pass.usesLabel'), children: t(issued.pass.oneUse ? 'panel.access.pass.uses.one' : 'panel.access.pass.uses.many') },
                ...(issued.pass.gates.length ? [{ key: 'gates', label: t('panel.access.pass.gates'), children: placeNames(issued.pass.gates, gates) }] : []),
                ...(issued.pass.zones.length ? [{ key: 'zones', label: t('panel.access.pass.zones'), children: placeNames(issued.pass.zones, zones) }] : []),
              ]}
            />
          </div>
          <Typography.Paragraph copyable={{ text: issued.credential }} className="pass-credential pass-print-hide" data-testid="pass-credential">
            {issued.credential}
          </Typography.Paragraph>
          <Flex justify="flex-end" gap="middle" className="pass-print-hide">
            <Button size="large" onClick={reset}>
              {t('panel.access.pass.another')}
            </Button>
            <Button size="large" icon={<PrinterOutlined />} onClick={() => window.print()}>
              {t('panel.access.pass.print')}
            </Button>
            <Button size="large" type="primary" onClick={props.onClose}>
              {t('panel.access.close')}
            </Button>
          </Flex>
        </Flex>
      ) : (
        <Form<VisitorPassForm>
          key={round}
          layout="vertical"
          size="large"
          onFinish={submit}
          requiredMark={false}
          disabled={busy}
          initialValues={{ oneUse: true, ...defaultValidity(Date.now(), props.timeZone) }}
          data-testid="pass-form"
        >
          <Flex gap="middle" wrap="wrap">
            <Form.Item name="visitorName" label={t('panel.access.pass.visitorName')} rules={[required(t('panel.access.pass.visitorName'))]} className="pass-field">
              <Input maxLength={32} id="pass-visitor-name" />
            </Form.Item>
            <Form.Item name="phone" label={t('panel.access.pass.phone')} className="pass-field">
              <Input maxLength={20} inputMode="tel" id="pass-phone" />
            </Form.Item>
          </Flex>
          <Form.Item name="purpose" label={t('panel.access.pass.purpose')}>
            <Input maxLength={100} id="pass-purpose" />
          </Form.Item>
          <Form.Item name="hostPersonId" label={t('panel.access.pass.host')} rules={[required(t('panel.access.pass.host'))]}>
            <Select
              showSearch={{ filterOption: false, onSearch: host.search }}
              placeholder={t('panel.access.pass.hostSearch')}
              options={host.options}
              notFoundContent={null}
              data-testid="pass-host"
            />
          </Form.Item>
          <Flex gap="middle" wrap="wrap">
            <Form.Item
              name="validFrom"
              label={t('panel.access.pass.validFrom')}
              extra={t('panel.access.pass.schoolTime', { zone: props.timeZone })}
              rules={[required(t('panel.access.pass.validFrom'))]}
              className="pass-field"
            >
              <Input type="datetime-local" id="pass-valid-from" />
            </Form.Item>
            <Form.Item name="validUntil" label={t('panel.access.pass.validUntil')} rules={[required(t('panel.access.pass.validUntil'))]} className="pass-field">
              <Input type="datetime-local" id="pass-valid-until" />
            </Form.Item>
          </Flex>
          <Flex gap="middle" wrap="wrap">
            <Form.Item name="gates" label={t('panel.access.pass.gates')} className="pass-field">
              <Select mode="multiple" options={gates.map((g) => ({ value: g.id, label: g.name }))} data-testid="pass-gates" />
            </Form.Item>
            <Form.Item name="zones" label={t('panel.access.pass.zones')} className="pass-field">
              <Select mode="multiple" options={zones.map((z) => ({ value: z.id, label: z.name }))} data-testid="pass-zones" />
            </Form.Item>
          </Flex>
          <Form.Item name="oneUse" label={t('panel.access.pass.oneUse')} valuePropName="checked">
            <Switch />
          </Form.Item>
          {error && <Alert type="error" showIcon title={error} className="reason-error" data-testid="pass-error" />}
          <Flex justify="flex-end" gap="middle">
            <Button size="large" onClick={props.onClose}>
              {t('panel.access.cancel')}
            </Button>
            <Button size="large" type="primary" htmlType="submit" loading={busy} data-testid="pass-submit">
              {t('panel.access.pass.submit')}
            </Button>
          </Flex>
        </Form>
      )}
    </Modal>
  );
}
