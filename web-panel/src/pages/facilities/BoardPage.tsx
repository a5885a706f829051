import { Alert, Card, Col, Empty, Flex, List, Row, Spin, Tag, Typography } from 'antd';
import type { Result } from '@campus/protocol/facilities/api';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { useLiveEvents } from '../../live/connection';
import { useEventFeed } from '../events/useEventFeed';
import { facilitiesApi } from './api';
import { PRIORITY_COLORS, STATE_COLORS, dayTime, hhmm } from './shared';
import { tagColor, useCheckpointNames } from './InspectPage';
import { useFacText } from './useFacText';
import './facilities.css';

const FEED_SHOWN = 40;

/** 巡检看板: the supervisor's live view of today's rounds, red items, alerts and open orders. */
export default function BoardPage() {
  const { t, locale } = useFacText();
  const runs = useEdgeQuery(facilitiesApi.recentRuns, 'runs-all', { refreshMs: 60_000, reloadOnReconnect: true });
  const orders = useEdgeQuery((a) => facilitiesApi.orders(a, '?state=open&limit=100'), 'orders-open', { refreshMs: 60_000, reloadOnReconnect: true });
  const feed = useEventFeed('facilities.');
  const names = useCheckpointNames();
  useLiveEvents((e) => {
    if (e.type.startsWith('facilities.inspection')) runs.reload();
    if (e.type.startsWith('facilities.workorder')) orders.reload();
  });

  const today = (runs.data?.runs ?? []).filter((r) => r.closedAt === null || Date.now() - r.opensAt < 24 * 3600_000);
  return (
    <Flex vertical gap="middle" data-testid="fac-board">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.facilities.board')}
      </Typography.Title>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('fac.board.rounds')}>
            {runs.error && <Alert type="error" showIcon message={runs.error.text[locale]} />}
            {runs.loading && !runs.data ? <Spin /> : today.length === 0 ? <Empty description={t('fac.inspect.noRuns')} /> : null}
            <Flex vertical gap="small">
              {today.map((run) => {
                const by = new Map(run.inspections.map((i) => [i.checkpointId, i]));
                return (
                  <Card size="small" key={run.id} type="inner" data-testid={`board-run-${run.id}`} title={`${run.roundName} · ${run.day} ${hhmm(run.opensAt)}–${hhmm(run.dueAt)}`} extra={run.closedAt ? <Tag>{t('fac.board.closed')}</Tag> : <Tag color="processing">{t('fac.board.open')}</Tag>}>
                    <Flex gap={4} wrap="wrap">
                      {run.checkpoints.map((cp) => {
                        const i = by.get(cp);
                        const missed = run.summary?.missed.includes(cp);
                        return (
                          <Tag key={cp} color={missed ? 'default' : tagColor(i?.result as Result | undefined)} data-testid={`board-${run.id}-${cp}`} data-result={i?.result ?? (missed ? 'missed' : '')}>
                            {names.get(cp) ?? cp}
                            {i ? ` ${hhmm(i.at)} ${i.inspector}` : missed ? ` ${t('fac.board.missed')}` : ''}
                          </Tag>
                        );
                      })}
                    </Flex>
                  </Card>
                );
              })}
            </Flex>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('fac.board.feed')} data-testid="board-feed">
            {feed.error && <Alert type="error" showIcon message={feed.error.text[locale]} />}
            <List
              className="fac-feed"
              size="small"
              dataSource={feed.events.slice(0, FEED_SHOWN)}
              locale={{ emptyText: t('fac.board.quiet') }}
              renderItem={(e) => (
                <List.Item data-reason={e.reason}>
                  <Flex vertical>
                    <Typography.Text type={e.severity === 'warning' || e.severity === 'critical' || e.reason.endsWith('.red') ? 'danger' : undefined}>{e.text[locale]}</Typography.Text>
                    <Typography.Text type="secondary">{dayTime(e.occurredAt)}</Typography.Text>
                  </Flex>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={t('fac.board.orders', { count: orders.data?.orders.length ?? 0 })}>
            <List
              size="small"
              dataSource={orders.data?.orders ?? []}
              locale={{ emptyText: t('fac.orders.none') }}
              renderItem={(o) => (
                <List.Item data-testid={`board-order-${o.id}`}>
                  <Flex vertical gap={2}>
                    <Flex gap={6} wrap="wrap" align="center">
                      <span>#{o.id}</span>
                      <Tag color={STATE_COLORS[o.state]}>{t(`fac.state.${o.state}`)}</Tag>
                      <Tag color={PRIORITY_COLORS[o.priority]}>{t(`fac.priority.${o.priority}`)}</Tag>
                      {(o.respondBreached || o.fixBreached) && <Tag color="red">{t('fac.orders.overdue')}</Tag>}
                    </Flex>
                    <Typography.Text>
                      {o.building} · {o.place}：{o.description}
                    </Typography.Text>
                    <Typography.Text type="secondary">{t('fac.orders.meta', { requester: o.requester, assignee: o.assignee ?? '—', created: dayTime(o.createdAt), due: dayTime(o.fixDue) })}</Typography.Text>
                  </Flex>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </Flex>
  );
}
