import { useState } from 'react';
import { Alert, Button, Card, Col, Drawer, Flex, Input, InputNumber, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined, PrinterOutlined, ThunderboltOutlined } from '@ant-design/icons';
import type { ChecklistItemInput, CheckpointInput, RoundInput } from '@campus/protocol/facilities/api';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { facilitiesApi, type Checkpoint, type Round } from './api';
import { CATEGORIES, categoryLabel } from './shared';
import { useFacText } from './useFacText';

type Item = ChecklistItemInput & { kind: 'check' | 'reading' };
type CpForm = { id: string; name: string; building: string; place: string; category: string; checklist: Item[] };
type RoundForm = { id: string; name: string; checkpoints: string[]; days: NonNullable<RoundInput['days']>; from: string; until: string; order: 'warn' | 'strict' };

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const emptyItem = (n: number): Item => ({ id: `item${n}`, kind: 'check', label: '', photo: 'on_fail', failResult: 'red' });

/** Moves element i of a list by d places (an ordered list edited with up/down buttons). */
function move<T>(list: readonly T[], i: number, d: number): T[] {
  const j = i + d;
  if (j < 0 || j >= list.length) return [...list];
  const out = [...list];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

function errorText(err: unknown, locale: 'zh-CN' | 'en'): string {
  const e = err as ApiError;
  const detail = (e.details as { detail?: string } | undefined)?.detail;
  return `${e.text?.[locale] ?? String(err)}${detail && !e.text?.[locale]?.includes(detail) ? `：${detail}` : ''}`;
}

/**
 * 巡检点与路线 at the desk: checkpoints with their checklists (check / reading with
 * thresholds, photo rule, failure colour, the room for lights-off items), rounds as ordered
 * checkpoints with days and a window, extra rounds for a weather warning, and the tag sheet.
 */
export function RoundsDesk() {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const cps = useEdgeQuery(facilitiesApi.checkpoints, 'desk-checkpoints');
  const rounds = useEdgeQuery(facilitiesApi.rounds, 'desk-rounds');
  const [cp, setCp] = useState<CpForm | null>(null);
  const [cpIsNew, setCpIsNew] = useState(false);
  const [round, setRound] = useState<RoundForm | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [extra, setExtra] = useState<{ round: string; minutes: number; reason: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const names = new Map((cps.data?.checkpoints ?? []).map((c) => [c.id, c.name]));

  const openCp = (c: Checkpoint | null) => {
    setError(null);
    setCpIsNew(!c);
    setCp(
      c
        ? { id: c.id, name: c.name, building: c.building, place: c.place, category: c.category, checklist: c.checklist.map((i) => ({ ...i }) as Item) }
        : { id: '', name: '', building: '', place: '', category: 'general', checklist: [emptyItem(1)] },
    );
  };
  const openRound = (r: Round | null) => {
    setError(null);
    setRound(
      r
        ? { id: r.id, name: r.name, checkpoints: [...r.checkpoints], days: r.days, from: r.window.from, until: r.window.until, order: r.order }
        : { id: '', name: '', checkpoints: [], days: 'school', from: '07:00', until: '07:40', order: 'warn' },
    );
  };

  const run = async (what: () => Promise<unknown>, done: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      done();
    } catch (err) {
      setError(errorText(err, locale));
    } finally {
      setBusy(false);
    }
  };

  const saveCp = () => {
    if (!cp) return;
    if (!ID_RE.test(cp.id)) return setError(t('fac.desk.badId'));
    const body: CheckpointInput = {
      name: cp.name,
      building: cp.building,
      place: cp.place,
      category: cp.category,
      checklist: cp.checklist.map((i) => {
        const base = { id: i.id, label: i.label, photo: i.photo ?? 'optional', ...(i.room ? { room: i.room } : {}), ...(i.orderPriority ? { orderPriority: i.orderPriority } : {}) };
        if (i.kind === 'check') return { ...base, kind: 'check' as const, failResult: i.failResult ?? 'red' };
        const th = Object.fromEntries(Object.entries(i.thresholds ?? {}).filter(([, v]) => typeof v === 'number'));
        return { ...base, kind: 'reading' as const, unit: i.unit ?? '', thresholds: th };
      }),
    };
    void run(
      () => facilitiesApi.putCheckpoint(api, cp.id, body),
      () => {
        setCp(null);
        cps.reload();
      },
    );
  };
  const saveRound = () => {
    if (!round) return;
    if (!ID_RE.test(round.id)) return setError(t('fac.desk.badId'));
    void run(
      () => facilitiesApi.putRound(api, round.id, { name: round.name, checkpoints: round.checkpoints, days: round.days, window: { from: round.from, until: round.until }, order: round.order }),
      () => {
        setRound(null);
        rounds.reload();
      },
    );
  };
  const startExtra = () => {
    if (!extra) return;
    void run(
      () => facilitiesApi.extraRun(api, extra.round, { minutes: extra.minutes, ...(extra.reason.trim() ? { reason: extra.reason.trim() } : {}) }),
      () => {
        setNotice(t('fac.desk.extraStarted', { round: extra.round }));
        setExtra(null);
      },
    );
  };

  const setItem = (i: number, patch: Partial<Item>) => setCp((c) => (c ? { ...c, checklist: c.checklist.map((x, k) => (k === i ? ({ ...x, ...patch } as Item) : x)) } : c));
  const setTh = (i: number, key: 'warnLow' | 'warnHigh' | 'alarmLow' | 'alarmHigh', v: number | null) =>
    setCp((c) => {
      if (!c) return c;
      const item = c.checklist[i]!;
      const th: Record<string, number | undefined> = { ...(item.kind === 'reading' ? item.thresholds : {}) };
      if (v === null) delete th[key];
      else th[key] = v;
      return { ...c, checklist: c.checklist.map((x, k) => (k === i ? ({ ...x, thresholds: th } as Item) : x)) };
    });
  const sheetHref = `/api/facilities/tag-sheets/checkpoints${selected.length ? `?ids=${encodeURIComponent(selected.join(','))}` : ''}`;

  return (
    <Flex vertical gap="middle" data-testid="desk-rounds">
      {notice && <Alert type="success" showIcon closable message={notice} onClose={() => setNotice(null)} data-testid="desk-notice" />}
      {error && !cp && !round && <Alert type="error" showIcon message={error} data-testid="desk-error" />}
      <Card
        size="small"
        title={t('fac.desk.checkpoints', { count: cps.data?.checkpoints.length ?? 0 })}
        extra={
          <Space>
            <Button icon={<PrinterOutlined />} href={sheetHref} target="_blank" data-testid="cp-tag-sheet">
              {selected.length ? t('fac.desk.printSelected', { count: selected.length }) : t('fac.desk.printAll')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => openCp(null)} data-testid="cp-new">
              {t('fac.desk.newCheckpoint')}
            </Button>
          </Space>
        }
      >
        <Table<Checkpoint>
          size="small"
          rowKey="id"
          loading={cps.loading}
          pagination={false}
          dataSource={cps.data?.checkpoints ?? []}
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
          onRow={(c) => ({ onDoubleClick: () => openCp(c) })}
          columns={[
            { title: t('fac.desk.id'), dataIndex: 'id', width: 120 },
            { title: t('fac.assets.name'), dataIndex: 'name' },
            { title: t('fac.report.building'), dataIndex: 'building', width: 100 },
            { title: t('fac.report.place'), dataIndex: 'place' },
            { title: t('fac.report.category'), render: (_: unknown, c) => categoryLabel(t, c.category), width: 110 },
            { title: t('fac.desk.items'), render: (_: unknown, c) => c.checklist.map((i) => i.label).join('、'), ellipsis: true },
            {
              title: '',
              width: 70,
              render: (_: unknown, c) => (
                <Button size="small" onClick={() => openCp(c)} data-testid={`cp-edit-${c.id}`}>
                  {t('fac.desk.edit')}
                </Button>
              ),
            },
          ]}
        />
      </Card>

      <Card
        size="small"
        title={t('fac.desk.rounds', { count: rounds.data?.rounds.length ?? 0 })}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => openRound(null)} data-testid="round-new">
            {t('fac.desk.newRound')}
          </Button>
        }
      >
        <Table<Round>
          size="small"
          rowKey="id"
          loading={rounds.loading}
          pagination={false}
          dataSource={rounds.data?.rounds ?? []}
          columns={[
            { title: t('fac.desk.id'), dataIndex: 'id', width: 120 },
            { title: t('fac.assets.name'), dataIndex: 'name' },
            { title: t('fac.desk.days'), render: (_: unknown, r) => t(`fac.desk.days.${r.days}`), width: 110 },
            { title: t('fac.desk.window'), render: (_: unknown, r) => `${r.window.from}–${r.window.until}`, width: 110 },
            {
              title: t('fac.desk.route'),
              render: (_: unknown, r) => (
                <span data-testid={`round-route-${r.id}`}>
                  {r.checkpoints.map((c, i) => (
                    <Tag key={c}>
                      {i + 1}. {names.get(c) ?? c}
                    </Tag>
                  ))}
                </span>
              ),
            },
            {
              title: '',
              width: 190,
              render: (_: unknown, r) => (
                <Space>
                  <Button size="small" onClick={() => openRound(r)} data-testid={`round-edit-${r.id}`}>
                    {t('fac.desk.edit')}
                  </Button>
                  <Button size="small" icon={<ThunderboltOutlined />} onClick={() => setExtra({ round: r.id, minutes: 60, reason: '' })} data-testid={`round-extra-${r.id}`}>
                    {t('fac.desk.extra')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>

      <Drawer open={!!extra} onClose={() => setExtra(null)} title={t('fac.desk.extraTitle', { round: extra?.round ?? '' })} size="default" destroyOnHidden>
        {extra && (
          <Flex vertical gap="middle">
            {error && <Alert type="error" showIcon message={error} data-testid="extra-error" />}
            <label className="fac-field">
              <Typography.Text>{t('fac.desk.extraMinutes')}</Typography.Text>
              <InputNumber min={5} max={1440} value={extra.minutes} onChange={(v) => setExtra({ ...extra, minutes: v ?? 60 })} data-testid="extra-minutes" />
            </label>
            <label className="fac-field">
              <Typography.Text>{t('fac.desk.extraReason')}</Typography.Text>
              <Input value={extra.reason} placeholder={t('fac.desk.extraReasonHint')} onChange={(e) => setExtra({ ...extra, reason: e.target.value })} data-testid="extra-reason" />
            </label>
            <Button type="primary" loading={busy} onClick={startExtra} data-testid="extra-start">
              {t('fac.desk.extraStart')}
            </Button>
          </Flex>
        )}
      </Drawer>

      <Drawer open={!!cp} onClose={() => setCp(null)} title={cpIsNew ? t('fac.desk.newCheckpoint') : t('fac.desk.editCheckpoint', { id: cp?.id ?? '' })} size="large" destroyOnHidden>
        {cp && (
          <Flex vertical gap="small" data-testid="cp-form">
            {error && <Alert type="error" showIcon message={error} data-testid="cp-error" />}
            <Row gutter={8}>
              <Col span={8}>
                <Typography.Text>{t('fac.desk.id')}</Typography.Text>
                <Input value={cp.id} disabled={!cpIsNew} onChange={(e) => setCp({ ...cp, id: e.target.value.trim() })} data-testid="cp-id" />
              </Col>
              <Col span={16}>
                <Typography.Text>{t('fac.assets.name')}</Typography.Text>
                <Input value={cp.name} onChange={(e) => setCp({ ...cp, name: e.target.value })} data-testid="cp-name" />
              </Col>
              <Col span={8}>
                <Typography.Text>{t('fac.report.building')}</Typography.Text>
                <Input value={cp.building} onChange={(e) => setCp({ ...cp, building: e.target.value.trim() })} data-testid="cp-building" />
              </Col>
              <Col span={8}>
                <Typography.Text>{t('fac.report.place')}</Typography.Text>
                <Input value={cp.place} onChange={(e) => setCp({ ...cp, place: e.target.value })} data-testid="cp-place" />
              </Col>
              <Col span={8}>
                <Typography.Text>{t('fac.report.category')}</Typography.Text>
                <Select style={{ width: '100%' }} value={cp.category} onChange={(v) => setCp({ ...cp, category: v })} options={CATEGORIES.map((c) => ({ value: c, label: categoryLabel(t, c) }))} data-testid="cp-category" />
              </Col>
            </Row>
            <Typography.Title level={5}>{t('fac.desk.checklist')}</Typography.Title>
            {cp.checklist.map((item, i) => (
              <Card size="small" key={i} data-testid={`cp-item-${i}`}>
                <Row gutter={[8, 8]} align="middle">
                  <Col span={4}>
                    <Input value={item.id} onChange={(e) => setItem(i, { id: e.target.value.trim() })} placeholder={t('fac.desk.id')} data-testid={`cp-item-${i}-id`} />
                  </Col>
                  <Col span={9}>
                    <Input value={item.label} onChange={(e) => setItem(i, { label: e.target.value })} placeholder={t('fac.desk.itemLabel')} data-testid={`cp-item-${i}-label`} />
                  </Col>
                  <Col span={5}>
                    <Select
                      style={{ width: '100%' }}
                      value={item.kind}
                      onChange={(kind) => setItem(i, kind === 'reading' ? ({ kind, unit: '', thresholds: {}, failResult: undefined } as Partial<Item>) : ({ kind, failResult: 'red' } as Partial<Item>))}
                      options={(['check', 'reading'] as const).map((k) => ({ value: k, label: t(`fac.desk.kind.${k}`) }))}
                      data-testid={`cp-item-${i}-kind`}
                    />
                  </Col>
                  <Col span={6}>
                    <Space.Compact>
                      <Button icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => setCp({ ...cp, checklist: move(cp.checklist, i, -1) })} aria-label={t('fac.desk.up')} />
                      <Button icon={<ArrowDownOutlined />} disabled={i === cp.checklist.length - 1} onClick={() => setCp({ ...cp, checklist: move(cp.checklist, i, 1) })} aria-label={t('fac.desk.down')} />
                      <Button danger icon={<DeleteOutlined />} disabled={cp.checklist.length === 1} onClick={() => setCp({ ...cp, checklist: cp.checklist.filter((_, k) => k !== i) })} aria-label={t('fac.remove')} />
                    </Space.Compact>
                  </Col>
                  <Col span={8}>
                    <Select
                      style={{ width: '100%' }}
                      value={item.photo ?? 'optional'}
                      onChange={(photo) => setItem(i, { photo })}
                      options={(['required', 'on_fail', 'optional'] as const).map((k) => ({ value: k, label: t(`fac.desk.photo.${k}`) }))}
                      data-testid={`cp-item-${i}-photo`}
                    />
                  </Col>
                  {item.kind === 'check' ? (
                    <Col span={8}>
                      <Select
                        style={{ width: '100%' }}
                        value={item.failResult ?? 'red'}
                        onChange={(failResult) => setItem(i, { failResult } as Partial<Item>)}
                        options={(['red', 'yellow'] as const).map((k) => ({ value: k, label: t(`fac.desk.fail.${k}`) }))}
                        data-testid={`cp-item-${i}-fail`}
                      />
                    </Col>
                  ) : (
                    <>
                      <Col span={4}>
                        <Input value={item.unit ?? ''} onChange={(e) => setItem(i, { unit: e.target.value } as Partial<Item>)} placeholder={t('fac.desk.unit')} data-testid={`cp-item-${i}-unit`} />
                      </Col>
                      {(['alarmLow', 'warnLow', 'warnHigh', 'alarmHigh'] as const).map((k) => (
                        <Col span={6} key={k}>
                          <InputNumber
                            style={{ width: '100%' }}
                            addonBefore={t(`fac.desk.th.${k}`)}
                            value={item.thresholds?.[k] ?? null}
                            onChange={(v) => setTh(i, k, typeof v === 'number' ? v : null)}
                            data-testid={`cp-item-${i}-${k}`}
                          />
                        </Col>
                      ))}
                    </>
                  )}
                  <Col span={8}>
                    <Input value={item.room ?? ''} onChange={(e) => setItem(i, { room: e.target.value.trim() || undefined })} placeholder={t('fac.desk.room')} data-testid={`cp-item-${i}-room`} />
                  </Col>
                </Row>
              </Card>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => setCp({ ...cp, checklist: [...cp.checklist, emptyItem(cp.checklist.length + 1)] })} data-testid="cp-item-add">
              {t('fac.desk.addItem')}
            </Button>
            <Button type="primary" loading={busy} onClick={saveCp} data-testid="cp-save">
              {t('fac.desk.save')}
            </Button>
          </Flex>
        )}
      </Drawer>

      <Drawer open={!!round} onClose={() => setRound(null)} title={round?.id && rounds.data?.rounds.some((r) => r.id === round.id) ? t('fac.desk.editRound', { id: round.id }) : t('fac.desk.newRound')} size="large" destroyOnHidden>
        {round && (
          <Flex vertical gap="small" data-testid="round-form">
            {error && <Alert type="error" showIcon message={error} data-testid="round-error" />}
            <Row gutter={8}>
              <Col span={8}>
                <Typography.Text>{t('fac.desk.id')}</Typography.Text>
                <Input value={round.id} disabled={rounds.data?.rounds.some((r) => r.id === round.id)} onChange={(e) => setRound({ ...round, id: e.target.value.trim() })} data-testid="round-id" />
              </Col>
              <Col span={16}>
                <Typography.Text>{t('fac.assets.name')}</Typography.Text>
                <Input value={round.name} onChange={(e) => setRound({ ...round, name: e.target.value })} data-testid="round-name" />
              </Col>
              <Col span={8}>
                <Typography.Text>{t('fac.desk.days')}</Typography.Text>
                <Select style={{ width: '100%' }} value={round.days} onChange={(days) => setRound({ ...round, days })} options={(['school', 'all', 'non_school', 'none'] as const).map((d) => ({ value: d, label: t(`fac.desk.days.${d}`) }))} data-testid="round-days" />
              </Col>
              <Col span={5}>
                <Typography.Text>{t('fac.desk.from')}</Typography.Text>
                <Input value={round.from} onChange={(e) => setRound({ ...round, from: e.target.value.trim() })} data-testid="round-from" />
              </Col>
              <Col span={5}>
                <Typography.Text>{t('fac.desk.until')}</Typography.Text>
                <Input value={round.until} onChange={(e) => setRound({ ...round, until: e.target.value.trim() })} data-testid="round-until" />
              </Col>
              <Col span={6}>
                <Typography.Text>{t('fac.desk.order')}</Typography.Text>
                <Select style={{ width: '100%' }} value={round.order} onChange={(order) => setRound({ ...round, order })} options={(['warn', 'strict'] as const).map((o) => ({ value: o, label: t(`fac.desk.order.${o}`) }))} data-testid="round-order" />
              </Col>
            </Row>
            <Typography.Title level={5}>{t('fac.desk.route')}</Typography.Title>
            <Flex vertical gap={4} data-testid="round-checkpoints">
              {round.checkpoints.map((c, i) => (
                <Flex key={c} gap="small" align="center" data-testid={`round-cp-${i}`} data-cp={c}>
                  <Typography.Text strong style={{ width: 24 }}>
                    {i + 1}.
                  </Typography.Text>
                  <Typography.Text style={{ flex: 1 }}>
                    {names.get(c) ?? c} <Typography.Text type="secondary">{c}</Typography.Text>
                  </Typography.Text>
                  <Space.Compact>
                    <Button size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => setRound({ ...round, checkpoints: move(round.checkpoints, i, -1) })} data-testid={`round-cp-${i}-up`} aria-label={t('fac.desk.up')} />
                    <Button size="small" icon={<ArrowDownOutlined />} disabled={i === round.checkpoints.length - 1} onClick={() => setRound({ ...round, checkpoints: move(round.checkpoints, i, 1) })} aria-label={t('fac.desk.down')} />
                    <Button size="small" danger icon={<DeleteOutlined />} onClick={() => setRound({ ...round, checkpoints: round.checkpoints.filter((x) => x !== c) })} aria-label={t('fac.remove')} />
                  </Space.Compact>
                </Flex>
              ))}
            </Flex>
            <Select
              placeholder={t('fac.desk.addCheckpoint')}
              value={null}
              onChange={(v: string) => setRound({ ...round, checkpoints: [...round.checkpoints, v] })}
              options={(cps.data?.checkpoints ?? []).filter((c) => !round.checkpoints.includes(c.id)).map((c) => ({ value: c.id, label: `${c.name}（${c.id}）` }))}
              data-testid="round-add-cp"
            />
            <Button type="primary" loading={busy} onClick={saveRound} data-testid="round-save">
              {t('fac.desk.save')}
            </Button>
          </Flex>
        )}
      </Drawer>
    </Flex>
  );
}
