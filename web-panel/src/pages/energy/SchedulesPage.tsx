import { useMemo, useState } from 'react';
import { Alert, Button, Card, Checkbox, Flex, Form, Input, Modal, Popconfirm, Radio, Select, Switch, Tabs, Tag, message, Typography, type TableColumnsType } from 'antd';
import { ResponsiveTable } from '../../ui/ResponsiveTable';
import type { BookingView, CalendarEntryView, EnergyDayFilter, ScheduleView } from '@campus/protocol/energy/api';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import {
  addBooking,
  addCalendarEntry,
  deleteBooking,
  deleteCalendarEntry,
  deleteSchedule,
  fetchBookings,
  fetchCalendar,
  fetchOverview,
  fetchSchedules,
  saveSchedule,
  type ScheduleInput,
} from './api';
import { addDays, dateTime, localDate } from './format';
import { useEnergyQuery } from './useEnergyQuery';
import { useEnergyText } from './useEnergyText';
import './energy.css';

const CIRCUIT_KINDS = ['lighting', 'ac', 'fan', 'socket', 'projector', 'other'] as const;
const ROOM_KINDS = ['classroom', 'office', 'lab', 'library', 'dorm', 'canteen', 'hall', 'other'] as const;
const DAY_FILTERS: EnergyDayFilter[] = ['school', 'all', 'non_school', 'exam'];
const SIMPLE_CRON = /^(\d{1,2}) (\d{1,2}) \* \* \*$/;

interface ScheduleForm {
  id: string;
  name: string;
  time: string;
  cron: string;
  days: EnergyDayFilter;
  action: 'on' | 'off';
  buildings: string[];
  roomKinds: string[];
  circuitKinds: string[];
  exceptBooked: boolean;
  enabled: boolean;
}

function timeOf(cron: string): string | null {
  const m = SIMPLE_CRON.exec(cron.trim());
  return m ? `${m[2]!.padStart(2, '0')}:${m[1]!.padStart(2, '0')}` : null;
}

/** 定时与校历: schedules, the school calendar (holidays, 调休 make-up days, exams) and room bookings. */
export default function SchedulesPage() {
  const { t } = useEnergyText();
  return (
    <Flex vertical gap="middle">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.energy.schedules')}
      </Typography.Title>
    <Card data-testid="energy-schedules">
      <Tabs
        items={[
          { key: 'schedules', label: t('energy.schedules.tab'), children: <Schedules /> },
          { key: 'calendar', label: t('energy.calendar.tab'), children: <Calendar /> },
          { key: 'bookings', label: t('energy.bookings.tab'), children: <Bookings /> },
        ]}
      />
    </Card>
    </Flex>
  );
}

function Schedules() {
  const { locale, t } = useEnergyText();
  const { api } = useSession();
  const [notice, holder] = message.useMessage();
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const list = useEnergyQuery(fetchSchedules, 'schedules');
  const [editing, setEditing] = useState<ScheduleView | 'new' | null>(null);
  const tz = overview.data?.timezone ?? 'Asia/Shanghai';

  const columns = useMemo<TableColumnsType<ScheduleView>>(
    () => [
      { key: 'name', title: t('energy.schedules.col.name'), render: (_, s) => <span data-testid={`schedule-${s.id}`}>{s.name}{!s.enabled && <Tag style={{ marginLeft: 8 }}>{t('energy.schedules.disabled')}</Tag>}</span> },
      { key: 'when', title: t('energy.schedules.col.when'), render: (_, s) => timeOf(s.cron) ?? <code>{s.cron}</code> },
      { key: 'days', title: t('energy.schedules.col.days'), render: (_, s) => t(`energy.days.${s.days}`) },
      { key: 'action', title: t('energy.schedules.col.action'), render: (_, s) => <Tag color={s.action === 'on' ? 'green' : 'default'}>{t(`energy.action.${s.action}`)}</Tag> },
      {
        key: 'target',
        title: t('energy.schedules.col.target'),
        render: (_, s) => (
          <span>
            {t('energy.schedules.circuits', { count: s.circuits })}
            {s.exceptBooked && <Tag style={{ marginLeft: 8 }}>{t('energy.schedules.exceptBooked')}</Tag>}
          </span>
        ),
      },
      { key: 'next', title: t('energy.schedules.col.next'), render: (_, s) => (s.nextRun ? dateTime(s.nextRun, tz, locale) : '—') },
      {
        key: 'ops',
        render: (_, s) => (
          <Flex gap="small">
            <Button size="small" onClick={() => setEditing(s)}>
              {t('energy.edit')}
            </Button>
            <Popconfirm title={t('energy.confirmDelete')} onConfirm={() => void deleteSchedule(api, s.id).then(() => list.reload(), (e: ApiError) => notice.error(e.text[locale]))}>
              <Button size="small" danger>
                {t('energy.delete')}
              </Button>
            </Popconfirm>
          </Flex>
        ),
      },
    ],
    [t, tz, locale, api, list, notice],
  );

  return (
    <Flex vertical gap="middle">
      {holder}
      <Flex justify="end">
        <Button type="primary" data-testid="new-schedule" onClick={() => setEditing('new')}>
          {t('energy.schedules.new')}
        </Button>
      </Flex>
      <ResponsiveTable<ScheduleView> rowKey="id" size="small" columns={columns} dataSource={list.data ?? []} loading={list.loading} pagination={false} data-testid="schedule-table" />
      {editing && (
        <ScheduleDialog
          initial={editing === 'new' ? null : editing}
          buildings={overview.data?.buildings ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            notice.success(t('energy.saved'));
            list.reload();
          }}
        />
      )}
    </Flex>
  );
}

function ScheduleDialog({ initial, buildings, onClose, onSaved }: { initial: ScheduleView | null; buildings: Array<{ id: string; name: string }>; onClose: () => void; onSaved: () => void }) {
  const { locale, t } = useEnergyText();
  const { api } = useSession();
  const [form] = Form.useForm<ScheduleForm>();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const initialValues: ScheduleForm = {
    id: initial?.id ?? '',
    name: initial?.name ?? '',
    time: initial ? (timeOf(initial.cron) ?? '') : '18:30',
    cron: initial && !timeOf(initial.cron) ? initial.cron : '',
    days: initial?.days ?? 'school',
    action: initial?.action ?? 'off',
    buildings: initial?.target.buildings ?? [],
    roomKinds: initial?.target.roomKinds ?? [],
    circuitKinds: initial?.target.circuitKinds ?? [],
    exceptBooked: initial?.exceptBooked ?? false,
    enabled: initial?.enabled ?? true,
  };

  async function submit(v: ScheduleForm) {
    const [h, m] = v.time.split(':');
    const cron = v.cron.trim() || `${Number(m)} ${Number(h)} * * *`;
    const s: ScheduleInput = {
      id: v.id.trim(),
      name: v.name.trim(),
      cron,
      days: v.days,
      action: v.action,
      target: {
        ...(v.buildings.length ? { buildings: v.buildings } : {}),
        ...(v.roomKinds.length ? { roomKinds: v.roomKinds as ScheduleInput['target']['roomKinds'] } : {}),
        ...(v.circuitKinds.length ? { circuitKinds: v.circuitKinds as ScheduleInput['target']['circuitKinds'] } : {}),
        ...(initial?.target.rooms ? { rooms: initial.target.rooms } : {}),
        ...(initial?.target.circuits ? { circuits: initial.target.circuits } : {}),
      },
      exceptBooked: v.exceptBooked,
      enabled: v.enabled,
    };
    setBusy(true);
    setError(null);
    try {
      await saveSchedule(api, s);
      onSaved();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open title={initial ? initial.name : t('energy.schedules.new')} okText={t('energy.save')} cancelText={t('energy.cancel')} confirmLoading={busy} onOk={() => form.submit()} onCancel={onClose} okButtonProps={{ 'data-testid': 'schedule-save' } as never}>
      <Form form={form} layout="vertical" initialValues={initialValues} onFinish={(v) => void submit(v)} data-testid="schedule-form">
        <Form.Item name="id" label={t('energy.schedules.field.id')} rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, message: t('energy.schedules.required') }]}>
          <Input disabled={initial !== null} data-testid="schedule-id" />
        </Form.Item>
        <Form.Item name="name" label={t('energy.schedules.field.name')} rules={[{ required: true, whitespace: true, message: t('energy.schedules.required') }]}>
          <Input data-testid="schedule-name" maxLength={64} />
        </Form.Item>
        <Flex gap="middle">
          <Form.Item name="time" label={t('energy.schedules.field.time')}>
            <Input type="time" data-testid="schedule-time" />
          </Form.Item>
          <Form.Item name="cron" label={t('energy.schedules.field.cron')} style={{ flex: 1 }}>
            <Input placeholder="30 18 * * 1-5" data-testid="schedule-cron" />
          </Form.Item>
        </Flex>
        <Form.Item name="days" label={t('energy.schedules.field.days')}>
          <Select data-testid="schedule-days" options={DAY_FILTERS.map((d) => ({ value: d, label: t(`energy.days.${d}`) }))} />
        </Form.Item>
        <Form.Item name="action" label={t('energy.schedules.field.action')}>
          <Radio.Group data-testid="schedule-action">
            <Radio value="off">{t('energy.action.off')}</Radio>
            <Radio value="on">{t('energy.action.on')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="buildings" label={t('energy.schedules.field.buildings')}>
          <Select mode="multiple" data-testid="schedule-buildings" options={buildings.map((b) => ({ value: b.id, label: b.name }))} />
        </Form.Item>
        <Form.Item name="roomKinds" label={t('energy.schedules.field.roomKinds')}>
          <Select mode="multiple" data-testid="schedule-room-kinds" options={ROOM_KINDS.map((k) => ({ value: k, label: t(`energy.roomKind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="circuitKinds" label={t('energy.schedules.field.circuitKinds')}>
          <Select mode="multiple" data-testid="schedule-circuit-kinds" options={CIRCUIT_KINDS.map((k) => ({ value: k, label: t(`energy.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="exceptBooked" valuePropName="checked">
          <Checkbox data-testid="schedule-except-booked">{t('energy.schedules.field.exceptBooked')}</Checkbox>
        </Form.Item>
        <Form.Item name="enabled" valuePropName="checked" label={t('energy.schedules.field.enabled')}>
          <Switch />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon message={error.text[locale]} data-testid="schedule-error" />}
    </Modal>
  );
}

function Calendar() {
  const { locale, t } = useEnergyText();
  const { api } = useSession();
  const [notice, holder] = message.useMessage();
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const today = localDate(Date.now(), overview.data?.timezone ?? 'Asia/Shanghai');
  const cal = useEnergyQuery((a) => fetchCalendar(a, addDays(today, -30), addDays(today, 365)), today);
  const [form] = Form.useForm<{ from: string; to: string; kind: CalendarEntryView['kind']; name: string }>();

  const columns: TableColumnsType<CalendarEntryView> = [
    { key: 'dates', title: t('energy.calendar.col.dates'), render: (_, e) => (e.from === e.to ? e.from : `${e.from} – ${e.to}`) },
    { key: 'kind', title: t('energy.calendar.col.kind'), render: (_, e) => <Tag color={e.kind === 'holiday' ? 'red' : e.kind === 'workday' ? 'blue' : 'gold'}>{t(`energy.calendar.kind.${e.kind}`)}</Tag> },
    { key: 'name', title: t('energy.calendar.col.name'), render: (_, e) => <span data-testid={`calendar-entry-${e.from}`}>{e.name}</span> },
    {
      key: 'ops',
      render: (_, e) => (
        <Popconfirm title={t('energy.confirmDelete')} onConfirm={() => void deleteCalendarEntry(api, e.id).then(() => cal.reload(), (err: ApiError) => notice.error(err.text[locale]))}>
          <Button size="small" danger>
            {t('energy.delete')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  const upcoming = (cal.data?.days ?? []).filter((d) => d.date >= today).slice(0, 14);
  return (
    <Flex vertical gap="middle">
      {holder}
      <Flex gap={6} wrap data-testid="calendar-upcoming">
        {upcoming.map((d) => (
          <Tag key={d.date} color={d.school ? (d.exam ? 'gold' : d.makeup ? 'blue' : 'green') : d.holiday ? 'red' : 'default'} data-testid={`day-${d.date}`} data-school={String(d.school)}>
            {d.date.slice(5)} {d.name ?? t(d.school ? 'energy.calendar.schoolDay' : 'energy.calendar.noSchool')}
          </Tag>
        ))}
      </Flex>
      <Form
        form={form}
        layout="inline"
        data-testid="calendar-form"
        initialValues={{ kind: 'holiday' }}
        onFinish={(v) =>
          void addCalendarEntry(api, { from: v.from, to: v.to || v.from, kind: v.kind, name: v.name.trim() }).then(
            () => {
              form.resetFields();
              notice.success(t('energy.saved'));
              cal.reload();
            },
            (err: ApiError) => notice.error(err.text[locale]),
          )
        }
      >
        <Form.Item name="from" rules={[{ required: true, message: t('energy.schedules.required') }]}>
          <Input type="date" data-testid="calendar-from" />
        </Form.Item>
        <Form.Item name="to">
          <Input type="date" data-testid="calendar-to" />
        </Form.Item>
        <Form.Item name="kind">
          <Select style={{ width: 130 }} data-testid="calendar-kind" options={(['holiday', 'workday', 'exam'] as const).map((k) => ({ value: k, label: t(`energy.calendar.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="name" rules={[{ required: true, whitespace: true, message: t('energy.schedules.required') }]}>
          <Input placeholder={t('energy.calendar.col.name')} data-testid="calendar-name" maxLength={64} />
        </Form.Item>
        <Button type="primary" htmlType="submit" data-testid="calendar-add">
          {t('energy.calendar.new')}
        </Button>
      </Form>
      <ResponsiveTable<CalendarEntryView> rowKey="id" size="small" columns={columns} dataSource={cal.data?.entries ?? []} loading={cal.loading} pagination={false} data-testid="calendar-table" />
    </Flex>
  );
}

function Bookings() {
  const { locale, t } = useEnergyText();
  const { api } = useSession();
  const [notice, holder] = message.useMessage();
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const today = localDate(Date.now(), overview.data?.timezone ?? 'Asia/Shanghai');
  const list = useEnergyQuery((a) => fetchBookings(a, today), today);
  const rooms = new Map((overview.data?.rooms ?? []).map((r) => [r.id, r.name]));
  const [form] = Form.useForm<{ room: string; fromDate: string; toDate: string; fromTime: string; untilTime: string; schoolDays: boolean; note: string }>();

  const columns: TableColumnsType<BookingView> = [
    { key: 'room', title: t('energy.bookings.col.room'), render: (_, b) => rooms.get(b.room) ?? b.room },
    { key: 'dates', title: t('energy.bookings.col.dates'), render: (_, b) => `${b.fromDate} – ${b.toDate}${b.days === 'school' ? ` (${t('energy.bookings.schoolDaysOnly')})` : ''}` },
    { key: 'time', title: t('energy.bookings.col.time'), render: (_, b) => `${b.fromTime}–${b.untilTime}` },
    { key: 'note', title: t('energy.bookings.col.note'), dataIndex: 'note' },
    {
      key: 'ops',
      render: (_, b) => (
        <Button size="small" danger onClick={() => void deleteBooking(api, b.id).then(() => list.reload(), (err: ApiError) => notice.error(err.text[locale]))}>
          {t('energy.delete')}
        </Button>
      ),
    },
  ];

  return (
    <Flex vertical gap="middle">
      {holder}
      <Form
        form={form}
        layout="inline"
        initialValues={{ fromTime: '18:30', untilTime: '21:30', schoolDays: true }}
        onFinish={(v) =>
          void addBooking(api, { room: v.room, fromDate: v.fromDate, toDate: v.toDate || v.fromDate, days: v.schoolDays ? 'school' : 'all', fromTime: v.fromTime, untilTime: v.untilTime, note: v.note?.trim() ?? '' }).then(
            () => {
              form.resetFields();
              notice.success(t('energy.saved'));
              list.reload();
            },
            (err: ApiError) => notice.error(err.text[locale]),
          )
        }
      >
        <Form.Item name="room" rules={[{ required: true, message: t('energy.schedules.required') }]}>
          <Select style={{ width: 160 }} placeholder={t('energy.bookings.col.room')} options={(overview.data?.rooms ?? []).map((r) => ({ value: r.id, label: r.name }))} />
        </Form.Item>
        <Form.Item name="fromDate" rules={[{ required: true, message: t('energy.schedules.required') }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="toDate">
          <Input type="date" />
        </Form.Item>
        <Form.Item name="fromTime">
          <Input type="time" />
        </Form.Item>
        <Form.Item name="untilTime">
          <Input type="time" />
        </Form.Item>
        <Form.Item name="schoolDays" valuePropName="checked">
          <Checkbox>{t('energy.bookings.schoolDaysOnly')}</Checkbox>
        </Form.Item>
        <Form.Item name="note">
          <Input placeholder={t('energy.bookings.col.note')} maxLength={200} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('energy.bookings.new')}
        </Button>
      </Form>
      <ResponsiveTable<BookingView> rowKey="id" size="small" columns={columns} dataSource={list.data ?? []} loading={list.loading} pagination={false} />
    </Flex>
  );
}
