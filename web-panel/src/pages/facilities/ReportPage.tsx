import { useMemo, useState } from 'react';
import { Alert, AutoComplete, Button, Card, Flex, Input, Segmented, Select, Typography } from 'antd';
import type { OrderPriority } from '@campus/protocol/facilities/api';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { facilitiesApi, parseTag, type OrderCreated } from './api';
import { PhotoField } from './PhotoField';
import { QrScanner } from './QrScanner';
import { CATEGORIES, PRIORITY_LIST } from './shared';
import { useFacText } from './useFacText';
import './facilities.css';

/** 报修: any staff member photographs a fault and submits a work order from the phone. */
export default function ReportPage() {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const checkpoints = useEdgeQuery(facilitiesApi.checkpoints, 'checkpoints');
  const [category, setCategory] = useState<string>('general');
  const [building, setBuilding] = useState('');
  const [place, setPlace] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<OrderPriority>('normal');
  const [photo, setPhoto] = useState<string | null>(null);
  const [assetTag, setAssetTag] = useState<string | null>(null);
  const [scanAsset, setScanAsset] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<OrderCreated | null>(null);

  const buildings = useMemo(() => [...new Set((checkpoints.data?.checkpoints ?? []).map((c) => c.building))].map((b) => ({ value: b })), [checkpoints.data]);
  const ready = building.trim() && place.trim() && description.trim();

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await facilitiesApi.newOrder(api, {
        category,
        building: building.trim(),
        place: place.trim(),
        description: description.trim(),
        priority,
        photos: photo ? [photo] : [],
        ...(assetTag ? { assetTag } : {}),
      });
      setCreated(answer);
      setDescription('');
      setPhoto(null);
      setAssetTag(null);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex vertical gap="middle" className="fac-phone" data-testid="fac-report">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.facilities.report')}
      </Typography.Title>
      {created && (
        <Alert
          type="success"
          showIcon
          data-testid="report-created"
          data-order={created.order.id}
          message={t('fac.report.created', { id: created.order.id })}
          description={
            <>
              {created.order.assignee ? t('fac.report.dispatched', { assignee: created.order.assignee }) : t('fac.report.waiting')}
              {created.asset && (
                <div>{t(created.asset.underWarranty ? 'fac.report.warrantyYes' : 'fac.report.warrantyNo', { name: created.asset.name, end: created.asset.warrantyEnd ?? '—' })}</div>
              )}
            </>
          }
          closable
          onClose={() => setCreated(null)}
        />
      )}
      <Card size="small">
        <Flex vertical gap="middle">
          <PhotoField value={photo} onChange={setPhoto} testId="report-photo" />
          <label className="fac-field">
            <Typography.Text>{t('fac.report.category')}</Typography.Text>
            <Select size="large" style={{ width: '100%' }} value={category} onChange={setCategory} options={CATEGORIES.map((c) => ({ value: c, label: t(`fac.category.${c}`) }))} data-testid="report-category" />
          </label>
          <label className="fac-field">
            <Typography.Text>{t('fac.report.building')}</Typography.Text>
            <AutoComplete size="large" style={{ width: '100%' }} value={building} onChange={setBuilding} options={buildings} placeholder={t('fac.report.buildingHint')} data-testid="report-building" />
          </label>
          <label className="fac-field">
            <Typography.Text>{t('fac.report.place')}</Typography.Text>
            <Input size="large" value={place} onChange={(e) => setPlace(e.target.value)} maxLength={80} placeholder={t('fac.report.placeHint')} data-testid="report-place" />
          </label>
          <label className="fac-field">
            <Typography.Text>{t('fac.report.description')}</Typography.Text>
            <Input.TextArea rows={3} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} data-testid="report-description" />
          </label>
          <Segmented block value={priority} onChange={(v) => setPriority(v as OrderPriority)} options={PRIORITY_LIST.map((p) => ({ value: p, label: t(`fac.priority.${p}`) }))} data-testid="report-priority" />
          {assetTag ? (
            <Flex justify="space-between" align="center" data-testid="report-asset">
              <Typography.Text>{t('fac.report.asset', { code: parseTag(assetTag)?.id ?? '?' })}</Typography.Text>
              <Button onClick={() => setAssetTag(null)}>{t('fac.remove')}</Button>
            </Flex>
          ) : scanAsset ? (
            <QrScanner
              testId="report-asset-scanner"
              onScan={(text) => {
                setAssetTag(text);
                setScanAsset(false);
              }}
            />
          ) : (
            <Button onClick={() => setScanAsset(true)} data-testid="report-scan-asset">
              {t('fac.report.scanAsset')}
            </Button>
          )}
          {error && <Alert type="error" showIcon message={error.text[locale]} data-testid="report-error" />}
          <Button type="primary" size="large" block disabled={!ready} loading={busy} onClick={() => void submit()} data-testid="report-submit">
            {t('fac.report.submit')}
          </Button>
        </Flex>
      </Card>
    </Flex>
  );
}
