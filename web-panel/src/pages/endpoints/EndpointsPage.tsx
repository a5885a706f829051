import { useCallback, useSyncExternalStore } from 'react';
import { Badge, Flex, Tabs, Typography } from 'antd';
import type { PanelEvent } from '../../api/types';
import { useLocale } from '../../i18n/locale';
import { AgentsTab } from './AgentsTab';
import { endpointsApi } from './api';
import { PoliciesTab } from './PoliciesTab';
import { RequestsTab } from './RequestsTab';
import { UsbEventsTab } from './UsbEventsTab';
import { useEdgeList } from './useEdgeList';

const TABS = ['agents', 'policies', 'usb', 'requests'] as const;
type Tab = (typeof TABS)[number];

/** The open tab lives in the hash (#/endpoints?tab=policies), so reloads and links keep it. */
function useTab(): [Tab, (tab: Tab) => void] {
  const read = () => {
    const q = window.location.hash.split('?')[1] ?? '';
    const tab = new URLSearchParams(q).get('tab');
    return (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : 'agents';
  };
  const tab = useSyncExternalStore((cb) => {
    window.addEventListener('hashchange', cb);
    return () => window.removeEventListener('hashchange', cb);
  }, read);
  const go = useCallback((next: Tab) => {
    window.location.hash = `/endpoints?tab=${next}`;
  }, []);
  return [tab, go];
}

// Which live events mean a list is out of date.
const agentsChanged = (e: PanelEvent) => e.type.startsWith('endpoint.') || e.type === 'usb.dropped';
const policiesChanged = (e: PanelEvent) => e.type === 'endpoint.policy' || e.type === 'endpoint.agent';
const requestsChanged = (e: PanelEvent) => e.type === 'endpoint.request';

/** 终端管控: the IT admin's view of the USB endpoint guard. */
export default function EndpointsPage() {
  const { t } = useLocale();
  const [tab, setTab] = useTab();
  // Loaded here so the tabs share them and the labels can show counts.
  const agents = useEdgeList(endpointsApi.agents, { refreshOn: agentsChanged, onPresence: true, refreshMs: 30_000 });
  const policies = useEdgeList(endpointsApi.policies, { refreshOn: policiesChanged });
  const requests = useEdgeList(endpointsApi.requests, { refreshOn: requestsChanged });
  const pending = requests.items.filter((r) => r.status === 'pending').length;

  return (
    <Flex vertical gap="middle">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.endpoints')}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as Tab)}
        data-testid="endpoint-tabs"
        items={[
          { key: 'agents', label: t('panel.endpoints.tab.agents'), children: <AgentsTab list={agents} /> },
          { key: 'policies', label: t('panel.endpoints.tab.policies'), children: <PoliciesTab list={policies} agents={agents.items} /> },
          { key: 'usb', label: t('panel.endpoints.tab.usb'), children: <UsbEventsTab /> },
          {
            key: 'requests',
            label: (
              <Badge count={pending} size="small" offset={[10, 0]} title={t('panel.endpoints.pending', { count: pending })}>
                {t('panel.endpoints.tab.requests')}
              </Badge>
            ),
            children: <RequestsTab list={requests} />,
          },
        ]}
      />
    </Flex>
  );
}
