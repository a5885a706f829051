import { useState } from 'react';
import { Alert, Badge, Button, Card, Empty, Flex, Tag, Tooltip, Typography } from 'antd';
import { FireOutlined, ReloadOutlined } from '@ant-design/icons';
import type { DeviceLinkView, GateView, ReaderView, RelayBoardView, ZoneView } from '@campus/protocol/access/index';
import { useAccessText, type AccessTextId } from '../shared/useAccessText';
import { FireAlarmBanner, FireAlarmDialog } from '../shared/FireAlarm';
import { useSchoolTime } from '../shared/useSchoolTime';
import { useGatesOverview } from '../shared/useGatesOverview';
import { gateHealth, isOnline, readerSummary, relaySummary, type GateHealth } from './health';
import '../access.css';

const HEALTH_BADGE: Record<GateHealth, 'success' | 'warning' | 'error' | 'default'> = {
  ok: 'success',
  degraded: 'warning',
  down: 'error',
  unwatched: 'default',
};

const LINK_BADGE: Record<DeviceLinkView['state'], 'success' | 'processing' | 'error' | 'default'> = {
  open: 'success',
  connecting: 'processing',
  error: 'error',
  closed: 'default',
};

function LinkBadge({ link, testId }: { link: DeviceLinkView; testId: string }) {
  const { t } = useAccessText();
  const { dateTime } = useSchoolTime();
  const state = t(`panel.access.gates.link.${link.state}`);
  return (
    <Tooltip title={dateTime(link.since)}>
      <Badge
        status={LINK_BADGE[link.state]}
        data-testid={testId}
        data-state={link.state}
        text={isOnline(link) ? state : t('panel.access.gates.since', { state, time: dateTime(link.since) })}
      />
    </Tooltip>
  );
}

function ReaderLine({ reader }: { reader: ReaderView }) {
  const { t } = useAccessText();
  const { dateTime } = useSchoolTime();
  const stat = (label: AccessTextId, value: string | number) => t('panel.access.labelled', { label: t(label), value });
  return (
    <div className="reader-line" data-testid={`reader-${reader.id}`}>
      <span>
        {t(`panel.access.gates.reader.${reader.direction}`)} <span className="reader-id">{reader.id}</span>
      </span>
      <LinkBadge link={reader.link} testId={`reader-link-${reader.id}`} />
      <span className="reader-stats">
        <span>{stat('panel.access.gates.col.lastScan', reader.lastScanAt === null ? t('panel.access.gates.never') : dateTime(reader.lastScanAt))}</span>
        <span>{stat('panel.access.gates.col.scans', reader.scans)}</span>
        <span>{stat('panel.access.gates.col.badFrames', reader.badFrames)}</span>
        <span>{stat('panel.access.gates.col.reconnects', reader.link.reconnects)}</span>
      </span>
      {reader.link.error && !isOnline(reader.link) && (
        <span className="reader-error" data-testid={`reader-error-${reader.id}`}>
          {reader.link.error.message}
        </span>
      )}
    </div>
  );
}

function GateCard({ gate, zone }: { gate: GateView; zone: ZoneView | undefined }) {
  const { t } = useAccessText();
  const health = gateHealth(gate);
  return (
    <Card
      data-testid={`gate-${gate.id}`}
      data-health={health}
      title={
        <span className="gate-card-title">
          <Badge status={HEALTH_BADGE[health]} />
          <span className="gate-no">#{gate.no}</span>
          {gate.name}
        </span>
      }
      extra={<Tag>{t(`panel.access.gates.health.${health}`)}</Tag>}
    >
      <Flex vertical gap={4}>
        {zone && (
          <Typography.Text type="secondary">
            {[zone.name, t(`panel.access.gates.zone.${zone.kind}`), gate.directions.map((d) => t(`panel.access.direction.${d}`)).join(' / ')]
              .filter((part, i, all) => all.indexOf(part) === i) // a zone named 校园 is not said twice
              .join(' · ')}
          </Typography.Text>
        )}
        <Typography.Text>
          {gate.turnstile ? t('panel.access.gates.turnstile', { board: gate.turnstile.board }) : t('panel.access.gates.noTurnstile')}
          {gate.turnstile?.held && (
            <Tag color="red" className="gate-held">
              {t('panel.access.gates.held')}
            </Tag>
          )}
        </Typography.Text>
        {gate.turnstile && gate.turnstile.awaiting.in + gate.turnstile.awaiting.out > 0 && (
          <Typography.Text type="secondary">{t('panel.access.gates.awaiting', gate.turnstile.awaiting)}</Typography.Text>
        )}
        {gate.readers.map((r) => (
          <ReaderLine key={r.id} reader={r} />
        ))}
      </Flex>
    </Card>
  );
}

function BoardCard({ board }: { board: RelayBoardView }) {
  const { t } = useAccessText();
  return (
    <Card size="small" data-testid={`board-${board.id}`} title={<span className="reader-id">{board.id}</span>} extra={<LinkBadge link={board.link} testId={`board-link-${board.id}`} />}>
      <Flex gap="middle" wrap="wrap">
        <span>{t('panel.access.gates.board.pulses', { pulses: board.pulses })}</span>
        <span>{t('panel.access.gates.board.failed', { count: board.failedCommands })}</span>
        {board.held.length > 0 && <span>{t('panel.access.gates.board.held', { channels: board.held.join(', ') })}</span>}
      </Flex>
    </Card>
  );
}

/** 闸机状态: every gate, its readers and relay links, online or not, last scan, errors. */
export default function GateStatusPage() {
  const { locale, t } = useAccessText();
  const overview = useGatesOverview(true);
  const [raising, setRaising] = useState(false);
  const o = overview.data;
  const readers = o ? readerSummary(o) : null;
  const relays = o ? relaySummary(o) : null;

  return (
    <Flex vertical gap="middle" data-testid="gate-status">
      {o && <FireAlarmBanner fireAlarm={o.fireAlarm} gates={o.gates} onChanged={overview.reload} />}
      <Flex align="center" justify="space-between" gap="middle" wrap="wrap">
        <Flex align="center" gap="large" wrap="wrap">
          <Typography.Title level={3} className="page-title">
            {t('panel.menu.access.gates')}
          </Typography.Title>
          {readers && (
            <span className="device-summary" data-testid="readers-online">
              <Badge status={readers.online === readers.total ? 'success' : 'error'} />
              {t('panel.access.gates.readersOnline', readers)}
            </span>
          )}
          {relays && relays.total > 0 && (
            <span className="device-summary">
              <Badge status={relays.online === relays.total ? 'success' : 'error'} />
              {t('panel.access.gates.boardsOnline', relays)}
            </span>
          )}
        </Flex>
        <Flex gap="middle">
          <Button size="large" icon={<ReloadOutlined />} onClick={overview.reload}>
            {t('panel.access.refresh')}
          </Button>
          {o && !o.fireAlarm.active && (
            <Button size="large" danger icon={<FireOutlined />} onClick={() => setRaising(true)} data-testid="fire-raise">
              {t('panel.access.fire.raise')}
            </Button>
          )}
        </Flex>
      </Flex>
      {overview.error && (
        <Alert type="error" showIcon title={overview.error.text[locale]} action={<Button onClick={overview.reload}>{t('panel.action.retry')}</Button>} />
      )}
      {o && o.gates.length === 0 && <Empty description={t('panel.access.gates.empty')} />}
      {o && (
        <div className="gate-grid">
          {o.gates.map((g) => (
            <GateCard key={g.id} gate={g} zone={o.zones.find((z) => z.id === g.zone)} />
          ))}
        </div>
      )}
      {o && o.relayBoards.length > 0 && (
        <>
          <Typography.Title level={4}>{t('panel.access.gates.boards')}</Typography.Title>
          <div className="gate-grid">
            {o.relayBoards.map((b) => (
              <BoardCard key={b.id} board={b} />
            ))}
          </div>
        </>
      )}
      <FireAlarmDialog mode={raising ? 'raise' : null} onDone={overview.reload} onClose={() => setRaising(false)} />
    </Flex>
  );
}
