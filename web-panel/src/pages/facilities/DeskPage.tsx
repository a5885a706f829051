import { Flex, Tabs, Typography } from 'antd';
import { RotaDesk } from './RotaDesk';
import { RoundsDesk } from './RoundsDesk';
import { StoresDesk } from './StoresDesk';
import { useFacText } from './useFacText';
import './facilities.css';

/** 后勤台账: the supervisor's dense desk views — checkpoints and rounds, the duty rota, the store. */
export default function DeskPage() {
  const { t } = useFacText();
  return (
    <Flex vertical gap="middle" data-testid="fac-desk">
      <Typography.Title level={3} className="page-title">
        {t('panel.menu.facilities.desk')}
      </Typography.Title>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'rounds', label: <span data-testid="desk-tab-rounds">{t('fac.desk.tab.rounds')}</span>, children: <RoundsDesk /> },
          { key: 'rota', label: <span data-testid="desk-tab-rota">{t('fac.desk.tab.rota')}</span>, children: <RotaDesk /> },
          { key: 'stores', label: <span data-testid="desk-tab-stores">{t('fac.desk.tab.stores')}</span>, children: <StoresDesk /> },
        ]}
      />
    </Flex>
  );
}
