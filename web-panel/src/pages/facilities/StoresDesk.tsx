import { useState } from 'react';
import { Alert, Button, Card, Col, Drawer, Flex, Input, InputNumber, Row, Segmented, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, WarningOutlined } from '@ant-design/icons';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { useLiveEvents } from '../../live/connection';
import { facilitiesApi, type StockItem, type StockMoves } from './api';
import { dayTime } from './shared';
import { useFacText } from './useFacText';

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * 库存 at the desk: consumables with stock levels (below the minimum marked), goods received
 * and issued (optionally against a work order), each item's moves, new items.
 */
export function StoresDesk() {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const stock = useEdgeQuery(facilitiesApi.stock, 'desk-stock', { reloadOnReconnect: true });
  useLiveEvents((e) => {
    if (e.type === 'facilities.stock.low' || e.type.startsWith('facilities.workorder')) stock.reload();
  });
  const [open, setOpen] = useState<StockMoves | null>(null);
  const [move, setMove] = useState<{ kind: 'receipt' | 'issue'; qty: number | null; orderId: number | null; note: string }>({ kind: 'receipt', qty: null, orderId: null, note: '' });
  const [item, setItem] = useState<{ id: string; name: string; unit: string; minQty: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const items = stock.data?.items ?? [];
  const low = items.filter((i) => i.low);

  const show = async (id: string) => {
    setError(null);
    try {
      setOpen(await facilitiesApi.stockMoves(api, id));
    } catch (err) {
      setError((err as ApiError).text[locale]);
    }
  };
  const doMove = async () => {
    if (!open || !move.qty) return;
    setBusy(true);
    setError(null);
    try {
      await facilitiesApi.stockMove(api, open.item.id, move.kind, { qty: move.qty, ...(move.orderId ? { orderId: move.orderId } : {}), ...(move.note.trim() ? { note: move.note.trim() } : {}) });
      setMove({ ...move, qty: null, orderId: null, note: '' });
      await show(open.item.id);
      stock.reload();
    } catch (err) {
      setError((err as ApiError).text[locale]);
    } finally {
      setBusy(false);
    }
  };
  const saveItem = async () => {
    if (!item) return;
    if (!ID_RE.test(item.id)) return setError(t('fac.desk.badId'));
    setBusy(true);
    setError(null);
    try {
      await facilitiesApi.putStock(api, item.id, { name: item.name, unit: item.unit, minQty: item.minQty });
      setItem(null);
      stock.reload();
    } catch (err) {
      setError((err as ApiError).text[locale]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex vertical gap="middle" data-testid="desk-stores">
      {low.length > 0 && (
        <Alert type="warning" showIcon icon={<WarningOutlined />} data-testid="stock-low-alert" message={t('fac.stock.lowAlert', { items: low.map((i) => `${i.name} ${i.qty}${i.unit}`).join('、') })} />
      )}
      {error && !open && !item && <Alert type="error" showIcon message={error} data-testid="stock-error" />}
      <Card
        size="small"
        title={t('fac.stock.title', { count: items.length })}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setItem({ id: '', name: '', unit: '个', minQty: 0 })} data-testid="stock-new">
            {t('fac.stock.new')}
          </Button>
        }
      >
        <Table<StockItem>
          size="small"
          rowKey="id"
          loading={stock.loading}
          pagination={false}
          dataSource={items}
          onRow={(i) => ({ onClick: () => void show(i.id), 'data-testid': `stock-row-${i.id}`, 'data-qty': i.qty, 'data-low': i.low }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('fac.desk.id'), dataIndex: 'id', width: 140 },
            { title: t('fac.assets.name'), dataIndex: 'name' },
            { title: t('fac.stock.qty'), render: (_: unknown, i) => `${i.qty} ${i.unit}`, width: 120 },
            { title: t('fac.stock.min'), render: (_: unknown, i) => `${i.minQty} ${i.unit}`, width: 120 },
            { title: '', render: (_: unknown, i) => (i.low ? <Tag color="orange">{t('fac.stock.low')}</Tag> : null), width: 90 },
          ]}
        />
      </Card>

      <Drawer open={!!open} onClose={() => setOpen(null)} title={open ? `${open.item.name}（${open.item.qty} ${open.item.unit}）` : ''} size="large" destroyOnHidden>
        {open && (
          <Flex vertical gap="middle" data-testid="stock-drawer">
            {error && <Alert type="error" showIcon message={error} data-testid="stock-move-error" />}
            <Segmented value={move.kind} onChange={(k) => setMove({ ...move, kind: k as 'receipt' | 'issue' })} options={(['receipt', 'issue'] as const).map((k) => ({ value: k, label: t(`fac.stock.${k}`) }))} data-testid="stock-kind" />
            <Row gutter={8}>
              <Col span={6}>
                <InputNumber style={{ width: '100%' }} min={0} placeholder={t('fac.stock.qty')} value={move.qty} onChange={(v) => setMove({ ...move, qty: typeof v === 'number' ? v : null })} data-testid="stock-qty" />
              </Col>
              {move.kind === 'issue' && (
                <Col span={6}>
                  <InputNumber style={{ width: '100%' }} min={1} placeholder={t('fac.assets.orderId')} value={move.orderId} onChange={(v) => setMove({ ...move, orderId: typeof v === 'number' ? v : null })} data-testid="stock-order" />
                </Col>
              )}
              <Col span={move.kind === 'issue' ? 8 : 14}>
                <Input placeholder={t('fac.item.note')} value={move.note} onChange={(e) => setMove({ ...move, note: e.target.value })} data-testid="stock-note" />
              </Col>
              <Col span={4}>
                <Button type="primary" block loading={busy} disabled={!move.qty} onClick={() => void doMove()} data-testid="stock-move">
                  {t('fac.ok')}
                </Button>
              </Col>
            </Row>
            <Table
              size="small"
              rowKey="id"
              pagination={{ pageSize: 20 }}
              dataSource={[...open.moves].reverse()}
              data-testid="stock-moves"
              columns={[
                { title: t('fac.stock.at'), render: (_: unknown, m: StockMoves['moves'][number]) => dayTime(m.at), width: 110 },
                { title: t('fac.stock.move'), render: (_: unknown, m: StockMoves['moves'][number]) => <Tag color={m.delta > 0 ? 'green' : 'blue'}>{`${m.delta > 0 ? '+' : ''}${m.delta}`}</Tag>, width: 90 },
                { title: t('fac.stock.by'), dataIndex: 'actor', width: 100 },
                { title: t('fac.assets.orderId'), render: (_: unknown, m: StockMoves['moves'][number]) => (m.orderId ? `#${m.orderId}` : '—'), width: 110 },
                { title: t('fac.item.note'), render: (_: unknown, m: StockMoves['moves'][number]) => m.note ?? '' },
              ]}
            />
          </Flex>
        )}
      </Drawer>

      <Drawer open={!!item} onClose={() => setItem(null)} title={t('fac.stock.new')} destroyOnHidden>
        {item && (
          <Flex vertical gap="small" data-testid="stock-form">
            {error && <Alert type="error" showIcon message={error} data-testid="stock-form-error" />}
            <Typography.Text>{t('fac.desk.id')}</Typography.Text>
            <Input value={item.id} onChange={(e) => setItem({ ...item, id: e.target.value.trim() })} data-testid="stock-id" />
            <Typography.Text>{t('fac.assets.name')}</Typography.Text>
            <Input value={item.name} onChange={(e) => setItem({ ...item, name: e.target.value })} data-testid="stock-name" />
            <Space>
              <Flex vertical>
                <Typography.Text>{t('fac.desk.unit')}</Typography.Text>
                <Input value={item.unit} onChange={(e) => setItem({ ...item, unit: e.target.value })} data-testid="stock-unit" />
              </Flex>
              <Flex vertical>
                <Typography.Text>{t('fac.stock.min')}</Typography.Text>
                <InputNumber min={0} value={item.minQty} onChange={(v) => setItem({ ...item, minQty: typeof v === 'number' ? v : 0 })} data-testid="stock-min" />
              </Flex>
            </Space>
            <Button type="primary" loading={busy} onClick={() => void saveItem()} data-testid="stock-save">
              {t('fac.desk.save')}
            </Button>
          </Flex>
        )}
      </Drawer>
    </Flex>
  );
}
