import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Card, Empty, Flex, Modal, Switch, Tag, Typography, message } from 'antd';
import type { CircuitView } from '@campus/protocol/energy/api';
import type { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { useLiveEvents } from '../../live/connection';
import { endHold, fetchCircuits, fetchOverview, switchBuilding, switchCircuit } from './api';
import { dateTime } from './format';
import { useEnergyQuery } from './useEnergyQuery';
import { useEnergyText } from './useEnergyText';
import './energy.css';

const REFRESH_MS = 5000;

/** 回路控制: every circuit with its relay state, switchable one by one or a whole building at once (after confirming). */
export default function CircuitsPage() {
  const { locale, t } = useEnergyText();
  const { api } = useSession();
  const [notice, noticeHolder] = message.useMessage();
  const overview = useEnergyQuery(fetchOverview, 'overview');
  const circuits = useEnergyQuery(fetchCircuits, 'circuits', REFRESH_MS);
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<{ building: string; name: string; on: boolean; count: number } | null>(null);
  const [bulkBusy, setBulkBusy] = useState(false);
  const tz = overview.data?.timezone ?? 'Asia/Shanghai';
  const rooms = useMemo(() => new Map((overview.data?.rooms ?? []).map((r) => [r.id, r.name])), [overview.data]);

  useLiveEvents((e) => {
    if (e.type.startsWith('energy.circuit.') || e.type === 'energy.override.expired') circuits.reload();
  });

  const groups = useMemo(() => {
    const byBuilding = new Map<string, CircuitView[]>();
    for (const c of circuits.data ?? []) byBuilding.set(c.building, [...(byBuilding.get(c.building) ?? []), c]);
    return (overview.data?.buildings ?? []).filter((b) => byBuilding.has(b.id)).map((b) => ({ ...b, circuits: byBuilding.get(b.id)! }));
  }, [circuits.data, overview.data]);

  async function toggle(c: CircuitView, on: boolean) {
    setBusy((s) => new Set(s).add(c.id));
    try {
      const r = await switchCircuit(api, c.id, on);
      if (r.result.outcome === 'confirmed') notice.success(t('energy.circuits.switched', { name: c.name, state: t(on ? 'energy.circuits.on' : 'energy.circuits.off') }));
      else notice.error(t('energy.circuits.failed', { name: c.name, detail: r.result.detail ?? r.result.outcome }));
    } catch (err) {
      notice.error((err as ApiError).text[locale]);
    } finally {
      setBusy((s) => {
        const n = new Set(s);
        n.delete(c.id);
        return n;
      });
      circuits.reload();
    }
  }

  async function runBulk() {
    if (!confirm) return;
    setBulkBusy(true);
    try {
      const results = await switchBuilding(api, confirm.building, confirm.on);
      const ok = results.filter((r) => r.outcome === 'confirmed').length;
      (ok === results.length ? notice.success : notice.warning)(t('energy.circuits.bulkDone', { ok, failed: results.length - ok }));
      setConfirm(null);
    } catch (err) {
      notice.error((err as ApiError).text[locale]);
    } finally {
      setBulkBusy(false);
      circuits.reload();
    }
  }

  if (circuits.error?.code === 'energy.not_running') return <Alert type="info" showIcon message={t('energy.notRunning')} />;
  return (
    <Flex vertical gap="middle" data-testid="energy-circuits">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.energy.circuits')}
      </Typography.Title>
      {noticeHolder}
      {circuits.error && <Alert type="error" showIcon message={circuits.error.text[locale]} />}
      {!circuits.loading && groups.length === 0 && <Empty />}
      {groups.map((g) => (
        <Card
          key={g.id}
          title={g.name}
          data-testid={`circuits-${g.id}`}
          extra={
            <Flex gap="small">
              <Button data-testid={`all-on-${g.id}`} onClick={() => setConfirm({ building: g.id, name: g.name, on: true, count: g.circuits.length })}>
                {t('energy.circuits.allOn')}
              </Button>
              <Button danger data-testid={`all-off-${g.id}`} onClick={() => setConfirm({ building: g.id, name: g.name, on: false, count: g.circuits.length })}>
                {t('energy.circuits.allOff')}
              </Button>
            </Flex>
          }
        >
          {g.circuits.map((c) => (
            <div className="energy-circuit" key={c.id} data-testid={`circuit-${c.id}`} data-on={String(c.on)}>
              <div className="energy-circuit-meta">
                <span>
                  {c.name} <Tag>{t(`energy.kind.${c.kind}`)}</Tag>
                  {c.room && <Typography.Text type="secondary">{rooms.get(c.room) ?? c.room}</Typography.Text>}
                </span>
                {c.lastChange && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('energy.circuits.last', { time: dateTime(c.lastChange.at, tz, locale), by: c.lastChange.by.kind === 'user' ? c.lastChange.by.id : `${c.lastChange.by.kind}:${c.lastChange.by.id}`, why: c.lastChange.why })}
                  </Typography.Text>
                )}
                <Flex gap={4} wrap>
                  {!c.reachable && <Badge status="error" text={t('energy.circuits.unreachable')} />}
                  {c.reachable && !c.confirmed && c.desired !== null && <Badge status="warning" text={t('energy.circuits.mismatch')} data-testid={`mismatch-${c.id}`} />}
                  {c.override && (
                    <Flex gap={4} align="center">
                      <Tag color="blue" data-testid={`hold-${c.id}`}>
                        {t('energy.circuits.hold', { time: dateTime(c.override.until, tz, locale), by: c.override.by })}
                      </Tag>
                      <Button
                        size="small"
                        type="link"
                        onClick={() =>
                          void endHold(api, c.id).then(
                            () => circuits.reload(),
                            (err: ApiError) => notice.error(err.text[locale]),
                          )
                        }
                      >
                        {t('energy.circuits.endHold')}
                      </Button>
                    </Flex>
                  )}
                </Flex>
              </div>
              <Switch data-testid={`switch-${c.id}`} checked={c.on === true} loading={busy.has(c.id)} onChange={(on) => void toggle(c, on)} />
            </div>
          ))}
        </Card>
      ))}
      <Modal
        open={confirm !== null}
        data-testid="confirm-building"
        title={confirm && t('energy.circuits.confirmTitle', { action: t(confirm.on ? 'energy.circuits.confirmOn' : 'energy.circuits.confirmOff'), building: confirm.name, count: confirm.count })}
        okText={t('energy.circuits.confirm')}
        cancelText={t('energy.cancel')}
        okButtonProps={{ danger: confirm?.on === false, 'data-testid': 'confirm-building-ok' } as never}
        confirmLoading={bulkBusy}
        onOk={() => void runBulk()}
        onCancel={() => setConfirm(null)}
      >
        {t('energy.circuits.confirmHint', { minutes: overview.data?.overrideDefaultMinutes ?? 0 })}
      </Modal>
    </Flex>
  );
}
