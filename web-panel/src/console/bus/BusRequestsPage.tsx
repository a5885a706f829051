import { useCallback, useEffect, useMemo, useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Form, Image, Input, Modal, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { ApiError, type VersionedRecord } from '../api';
import { useConsole } from '../session';
import { useBusT, type BusConsoleMessageId } from './messages';

/** A guardian's request as GET /schools/:id/bus-requests returns it (cloud-sync/src/server/bus/requests.ts). */
export interface BusRequestRow {
  id: string;
  studentKey: string;
  studentName: string;
  kind: 'stop' | 'pickup_person';
  applicantName: string;
  detail: Record<string, unknown>;
  note: string;
  status: 'pending' | 'accepted' | 'changed' | 'rejected' | 'cancelled';
  decidedByName: string | null;
  decidedAt: number | null;
  decisionNote: string | null;
  outcome: { kind: string; key: string; routeName?: string; stopName?: string; from?: string } | null;
  createdAt: number;
}
type RouteData = { name: string; stops: { id: string; name: string; depot?: boolean }[] };

const STATUS_COLOR: Record<BusRequestRow['status'], string> = { pending: 'gold', accepted: 'green', changed: 'blue', rejected: 'red', cancelled: 'default' };
const time = (ms: number) => new Date(ms).toLocaleString('zh-CN', { hourCycle: 'h23' });

/** The transport manager's inbox of guardians' bus requests: accept, change (another stop or date) or reject, with a reason. */
export default function BusRequestsPage() {
  const { api, schoolId, noteChange } = useConsole();
  const { t, locale } = useBusT();
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<BusRequestRow[]>([]);
  const [routes, setRoutes] = useState<VersionedRecord<RouteData>[]>([]);
  const [filter, setFilter] = useState<'pending' | 'all'>('pending');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [deciding, setDeciding] = useState<{ row: BusRequestRow; decision: 'change' | 'reject' } | null>(null);
  const [photo, setPhoto] = useState<string | null>(null);
  const [form] = Form.useForm();
  const routeId = Form.useWatch('routeId', form) as string | undefined;

  const load = useCallback(async () => {
    if (!schoolId) return;
    setLoading(true);
    try {
      const q = filter === 'pending' ? '?status=pending' : '';
      setRows((await api.get<{ requests: BusRequestRow[] }>(`/schools/${schoolId}/bus-requests${q}`)).requests);
      setRoutes((await api.get<{ records: VersionedRecord<RouteData>[] }>(`/schools/${schoolId}/bus/bus_route?limit=1000`)).records);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    } finally {
      setLoading(false);
    }
  }, [api, schoolId, filter, locale]);
  useEffect(() => void load(), [load]);

  const send = async (row: BusRequestRow, body: Record<string, unknown>) => {
    try {
      const r = await api.post<{ request: BusRequestRow; cursor: number | null }>(`/schools/${schoolId}/bus-requests/${row.id}/decision`, body);
      if (r.cursor !== null) noteChange({ what: `${r.request.outcome?.kind ?? 'bus_request'}/${r.request.outcome?.key ?? row.id}`, cursor: r.cursor });
      message.success(t('cbus.req.done'));
      setDeciding(null);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    }
  };

  const showPhoto = async (photoId: string) => {
    try {
      const p = await api.get<{ mime: string; data: string }>(`/schools/${schoolId}/bus-photos/${photoId}`);
      setPhoto(`data:${p.mime};base64,${p.data}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.text[locale] : String(err));
    }
  };

  const direction = (d: unknown) => t(d === 'afternoon' ? 'cbus.direction.afternoon' : 'cbus.direction.morning');
  const detail = (r: BusRequestRow) => {
    const d = r.detail;
    if (r.kind === 'stop') {
      const id: BusConsoleMessageId = d.oneDay ? 'cbus.req.stop_detail_one_day' : 'cbus.req.stop_detail';
      return t(id, { direction: direction(d.direction), route: String(d.routeName ?? d.routeId), stop: String(d.stopName ?? d.stopId), from: String(d.from) });
    }
    return t('cbus.req.pickup_detail', { name: String(d.name), relation: String(d.relation), phone: d.phone ? String(d.phone) : '' });
  };
  const stopsOf = useMemo(() => routes.find((r) => r.key === routeId)?.data.stops.filter((s) => !s.depot) ?? [], [routes, routeId]);

  const columns: ColumnsType<BusRequestRow> = [
    { key: 'at', title: t('cbus.req.col.at'), render: (_, r) => time(r.createdAt), width: 170 },
    { key: 'student', title: t('cbus.req.col.student'), render: (_, r) => `${r.studentName}（${r.studentKey}）` },
    { key: 'kind', title: t('cbus.req.col.kind'), render: (_, r) => t(r.kind === 'stop' ? 'cbus.req.kind.stop' : 'cbus.req.kind.pickup_person') },
    {
      key: 'detail',
      title: t('cbus.req.col.detail'),
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <span data-testid="req-detail">{detail(r)}</span>
          {r.note && <Typography.Text type="secondary">{t('cbus.req.note', { note: r.note })}</Typography.Text>}
          {r.kind === 'pickup_person' && typeof r.detail.photoId === 'string' && (
            <Button size="small" onClick={() => void showPhoto(String(r.detail.photoId))}>
              {t('cbus.req.photo')}
            </Button>
          )}
        </Space>
      ),
    },
    { key: 'applicant', title: t('cbus.req.col.applicant'), dataIndex: 'applicantName' },
    { key: 'status', title: t('cbus.req.col.status'), render: (_, r) => <Tag color={STATUS_COLOR[r.status]} className={`status-${r.status}`}>{t(`cbus.req.status.${r.status}`)}</Tag> },
    {
      key: 'result',
      title: t('cbus.req.col.result'),
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          {r.outcome?.stopName && <span>{t('cbus.req.outcome_stop', { route: r.outcome.routeName ?? '', stop: r.outcome.stopName, from: r.outcome.from ?? '' })}</span>}
          {r.decisionNote && <span>{r.decisionNote}</span>}
          {r.decidedByName && <Typography.Text type="secondary">{t('cbus.req.by', { name: r.decidedByName })}</Typography.Text>}
        </Space>
      ),
    },
    {
      key: 'actions',
      title: '',
      render: (_, r) =>
        r.status === 'pending' ? (
          <Space wrap>
            <Button size="small" type="primary" className="accept" onClick={() => void send(r, { decision: 'accept', note: '' })}>
              {t('cbus.req.accept')}
            </Button>
            {r.kind === 'stop' && (
              <Button size="small" className="change" onClick={() => { form.resetFields(); form.setFieldsValue({ routeId: r.detail.routeId, stopId: r.detail.stopId }); setDeciding({ row: r, decision: 'change' }); }}>
                {t('cbus.req.change')}
              </Button>
            )}
            <Button size="small" danger className="reject" onClick={() => { form.resetFields(); setDeciding({ row: r, decision: 'reject' }); }}>
              {t('cbus.req.reject')}
            </Button>
          </Space>
        ) : null,
    },
  ];

  const submitDecision = async () => {
    if (!deciding) return;
    let v: { note: string; routeId?: string; stopId?: string; from?: string };
    try {
      v = (await form.validateFields()) as typeof v;
    } catch {
      return; // the form shows what is missing
    }
    const body: Record<string, unknown> = { decision: deciding.decision, note: v.note };
    if (deciding.decision === 'change') {
      if (v.routeId) body.routeId = v.routeId;
      if (v.stopId) body.stopId = v.stopId;
      if (v.from) body.from = v.from;
    }
    await send(deciding.row, body);
  };

  return (
    <div data-testid="bus-requests">
      <Typography.Title level={4}>{t('cbus.req.title')}</Typography.Title>
      <Space style={{ marginBottom: 16 }} wrap>
        <Segmented
          value={filter}
          onChange={(v) => setFilter(v as 'pending' | 'all')}
          options={[
            { value: 'pending', label: t('cbus.req.status.pending') },
            { value: 'all', label: t('cbus.req.all') },
          ]}
        />
      </Space>
      {error && <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} style={{ marginBottom: 16 }} data-testid="request-error" />}
      <Table<BusRequestRow> rowKey="id" size="middle" loading={loading} columns={columns} dataSource={rows} pagination={{ pageSize: 50 }} scroll={{ x: true }} onRow={(r) => ({ 'data-id': r.id }) as HTMLAttributes<HTMLElement>} />
      <Modal
        open={deciding !== null}
        title={deciding?.decision === 'change' ? t('cbus.req.change_title') : t('cbus.req.reject_title')}
        okText={deciding?.decision === 'change' ? t('cbus.req.change') : t('cbus.req.reject')}
        onOk={() => void submitDecision()}
        onCancel={() => setDeciding(null)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          {deciding?.decision === 'change' && (
            <>
              <Form.Item name="routeId" label={t('cbus.field.route')}>
                <Select options={routes.map((r) => ({ value: r.key, label: r.data.name }))} onChange={() => form.setFieldValue('stopId', undefined)} />
              </Form.Item>
              <Form.Item name="stopId" label={t('cbus.field.stop')}>
                <Select options={stopsOf.map((s) => ({ value: s.id, label: s.name }))} />
              </Form.Item>
              <Form.Item name="from" label={t('cbus.field.from')}>
                <Input type="date" />
              </Form.Item>
            </>
          )}
          <Form.Item name="note" label={t('cbus.req.reason')} rules={[{ required: true, min: 2, message: t('cbus.req.reason') }]}>
            <Input.TextArea rows={3} maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
      <Image style={{ display: 'none' }} src={photo ?? undefined} preview={{ visible: photo !== null, src: photo ?? undefined, onVisibleChange: (v) => !v && setPhoto(null) }} />
    </div>
  );
}
