import { useState } from 'react';
import { Alert, Flex, Tabs, Typography } from 'antd';
import { fetchGatesOverview, fetchSchoolToday } from '../../../api/access';
import type { ApiError } from '../../../api/client';
import { CLOUD_OWNED } from '../../../api/problems';
import { useEdgeQuery } from '../../../api/useEdgeQuery';
import { useAccessText } from '../shared/useAccessText';
import { LeavesTab } from './LeavesTab';
import { PassesTab } from './PassesTab';
import { schoolDate } from './schedule';
import '../access.css';

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
type Kind = 'leaves' | 'passes';

/**
 * 请假与通行证: the school office and the gate register students' leaves and issue
 * visitor passes. When the edge syncs with a cloud that owns these records, it refuses
 * every change here; the page then says so once, plainly, and offers no more changes.
 */
export default function LeavesPassesPage() {
  const { t } = useAccessText();
  const school = useEdgeQuery(fetchSchoolToday, 'calendar');
  const places = useEdgeQuery(fetchGatesOverview, 'gates');
  const timeZone = school.data?.timeZone ?? DEFAULT_TIME_ZONE;
  // The edge's clock decides what today is; the tablet's may be off.
  const today = school.data?.today.date ?? schoolDate(Date.now(), timeZone);
  const [tab, setTab] = useState<Kind>('leaves');
  const [cloudOwned, setCloudOwned] = useState<ReadonlySet<Kind>>(new Set());
  const refusedFor = (kind: Kind) => (err: ApiError) => {
    if (err.code === CLOUD_OWNED) setCloudOwned((prev) => new Set(prev).add(kind));
  };

  return (
    <Flex vertical gap="middle" data-testid="leaves-passes-page">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.access.leaves')}
      </Typography.Title>
      {[...cloudOwned].map((kind) => (
        <Alert key={kind} type="warning" showIcon data-testid={`cloud-owned-${kind}`} title={t('panel.access.lp.cloudOwned', { what: t(`panel.access.lp.what.${kind}`) })} />
      ))}
      <Tabs
        activeKey={tab}
        onChange={(key) => setTab(key as Kind)}
        size="large"
        items={[
          {
            key: 'leaves',
            label: t('panel.access.lp.tab.leaves'),
            children: <LeavesTab timeZone={timeZone} today={today} onRefused={refusedFor('leaves')} />,
          },
          {
            key: 'passes',
            label: t('panel.access.lp.tab.passes'),
            children: <PassesTab timeZone={timeZone} today={today} places={places.data} onRefused={refusedFor('passes')} />,
          },
        ]}
      />
    </Flex>
  );
}
