import { useState } from 'react';
import { Alert, Button, Card, Empty, Flex, Input, Modal, Rate, Segmented, Spin, Tag, Typography, notification } from 'antd';
import type { OrderAction } from '@campus/protocol/facilities/api';
import { useSession, useSignedInUser } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { useLiveEvents } from '../../live/connection';
import { facilitiesApi, type Order } from './api';
import { PhotoField } from './PhotoField';
import { PRIORITY_COLORS, STATE_COLORS, categoryLabel, dayTime } from './shared';
import { useFacText } from './useFacText';
import './facilities.css';

type Mine = 'assigned' | 'requested';
type Dialog = { order: Order; action: 'done' | 'confirm' | 'reopen' } | null;

/**
 * 我的工单: the worker's and contractor's orders (accept, start, done with a photo) and the
 * requester's (confirm with a rating, or reopen). A dispatch reaches the worker's screen
 * live (the edge pushes order changes to the people named on them).
 */
export default function OrdersPage() {
  const { api } = useSession();
  const user = useSignedInUser();
  const { t, locale } = useFacText();
  const [mine, setMine] = useState<Mine>(user.roles.includes('contractor') ? 'assigned' : 'assigned');
  const orders = useEdgeQuery((a) => facilitiesApi.orders(a, `?mine=${mine}&limit=100`), `orders-${mine}`, { refreshMs: 60_000, reloadOnReconnect: true });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<string | null>(null);
  const [rating, setRating] = useState(5);
  const [toast, toastHolder] = notification.useNotification();

  useLiveEvents((e) => {
    if (!e.type.startsWith('facilities.workorder')) return;
    const data = e.data as { id?: number; assignee?: string | null; state?: string; by?: string };
    if (data.assignee === user.username && data.state === 'dispatched' && data.by !== user.username) {
      toast.info({ message: t('fac.orders.newForYou', { id: data.id ?? '?' }), description: e.text[locale], placement: 'top', key: `wo-${data.id}` });
    }
    orders.reload();
  });

  const act = async (o: Order, action: OrderAction, extra: Record<string, unknown> = {}) => {
    setBusy(o.id);
    setError(null);
    try {
      await facilitiesApi.act(api, o.id, action, { version: o.version, ...extra });
      setDialog(null);
      orders.reload();
    } catch (err) {
      const e = err as ApiError;
      setError(e);
      // 409: the order moved on under this phone (e.g. someone else finished it at the same
      // time); the open dialog is stale, so it closes and the error shows above the fresh order.
      if (e.status === 409) setDialog(null);
      orders.reload();
    } finally {
      setBusy(null);
    }
  };

  const open = (order: Order, action: 'done' | 'confirm' | 'reopen') => {
    setError(null);
    setNote('');
    setPhoto(null);
    setRating(5);
    setDialog({ order, action });
  };

  const list = orders.data?.orders ?? [];
  return (
    <Flex vertical gap="middle" className="fac-phone" data-testid="fac-orders">
      {toastHolder}
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.facilities.orders')}
      </Typography.Title>
      <Segmented block value={mine} onChange={(v) => setMine(v as Mine)} options={[{ value: 'assigned', label: t('fac.orders.assigned') }, { value: 'requested', label: t('fac.orders.requested') }]} data-testid="orders-mine" />
      {error && !dialog && <Alert type="error" showIcon message={error.text[locale]} closable onClose={() => setError(null)} data-testid="orders-error" />}
      {orders.error && <Alert type="error" showIcon message={orders.error.text[locale]} />}
      {orders.loading && !orders.data ? <Spin /> : list.length === 0 ? <Empty description={t('fac.orders.none')} /> : null}
      {list.map((o) => {
        const assignee = o.assignee === user.username;
        const requester = o.requester === user.username;
        return (
          <Card
            key={o.id}
            size="small"
            className="fac-order-card"
            data-testid={`order-${o.id}`}
            data-state={o.state}
            title={
              <Flex gap={6} wrap="wrap" align="center">
                <span>#{o.id}</span>
                <Tag color={STATE_COLORS[o.state]}>{t(`fac.state.${o.state}`)}</Tag>
                <Tag color={PRIORITY_COLORS[o.priority]}>{t(`fac.priority.${o.priority}`)}</Tag>
                {(o.respondBreached || o.fixBreached) && <Tag color="red">{t('fac.orders.overdue')}</Tag>}
              </Flex>
            }
          >
            <Flex vertical gap={6}>
              <Typography.Text strong>
                {categoryLabel(t, o.category)} · {o.building} · {o.place}
              </Typography.Text>
              <Typography.Paragraph style={{ margin: 0 }}>{o.description}</Typography.Paragraph>
              {o.photos.length > 0 && (
                <Flex gap={6} wrap="wrap">
                  {o.photos.map((p) => (
                    <img key={p} src={`/api/facilities/photos/${p}`} alt="" width={72} height={72} style={{ objectFit: 'cover', borderRadius: 6 }} />
                  ))}
                </Flex>
              )}
              <Typography.Text type="secondary">
                {t('fac.orders.meta', { requester: o.requester, assignee: o.assignee ?? '—', created: dayTime(o.createdAt), due: dayTime(o.fixDue) })}
              </Typography.Text>
              <Flex gap="small" wrap="wrap">
                {assignee && o.state === 'dispatched' && (
                  <Button type="primary" size="large" loading={busy === o.id} onClick={() => void act(o, 'accept')} data-testid={`accept-${o.id}`}>
                    {t('fac.action.accept')}
                  </Button>
                )}
                {assignee && o.state === 'accepted' && (
                  <Button size="large" loading={busy === o.id} onClick={() => void act(o, 'start')} data-testid={`start-${o.id}`}>
                    {t('fac.action.start')}
                  </Button>
                )}
                {assignee && (o.state === 'accepted' || o.state === 'in_progress') && (
                  <Button type="primary" size="large" onClick={() => open(o, 'done')} data-testid={`done-${o.id}`}>
                    {t('fac.action.done')}
                  </Button>
                )}
                {requester && o.state === 'done' && (
                  <>
                    <Button type="primary" size="large" onClick={() => open(o, 'confirm')} data-testid={`confirm-${o.id}`}>
                      {t('fac.action.confirm')}
                    </Button>
                    <Button size="large" danger onClick={() => open(o, 'reopen')} data-testid={`reopen-${o.id}`}>
                      {t('fac.action.reopen')}
                    </Button>
                  </>
                )}
              </Flex>
            </Flex>
          </Card>
        );
      })}
      <Modal
        open={dialog !== null}
        title={dialog ? t(`fac.action.${dialog.action}`) + ` #${dialog.order.id}` : ''}
        onCancel={() => setDialog(null)}
        okText={t('fac.ok')}
        cancelText={t('fac.cancel')}
        okButtonProps={{ disabled: dialog?.action === 'reopen' && !note.trim(), loading: busy !== null, id: 'order-dialog-ok' }}
        onOk={() => {
          if (!dialog) return;
          const { order, action } = dialog;
          if (action === 'done') void act(order, 'done', { ...(note.trim() ? { note: note.trim() } : {}), ...(photo ? { photo } : {}) });
          else if (action === 'confirm') void act(order, 'confirm', { rating, ...(note.trim() ? { note: note.trim() } : {}) });
          else void act(order, 'reopen', { note: note.trim() });
        }}
        destroyOnHidden
      >
        <Flex vertical gap="middle">
          {error && <Alert type="error" showIcon message={error.text[locale]} data-testid="orders-error" />}
          {dialog?.action === 'done' && <PhotoField value={photo} onChange={setPhoto} testId="done-photo" />}
          {dialog?.action === 'confirm' && <Rate value={rating} onChange={setRating} data-testid="confirm-rating" />}
          <Input.TextArea rows={3} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder={t(dialog?.action === 'reopen' ? 'fac.orders.reopenWhy' : 'fac.item.note')} data-testid="order-dialog-note" />
        </Flex>
      </Modal>
    </Flex>
  );
}
