import { Tag } from 'antd';
import { useAccessText } from '../shared/useAccessText';
import { phaseOf } from './schedule';

const COLOURS = { now: 'green', later: 'blue', over: 'default' } as const;

/** 进行中 / 未开始 / 已结束 for a leave or a pass window. */
export function PhaseTag({ from, until, now }: { from: number; until: number; now: number }) {
  const { t } = useAccessText();
  const phase = phaseOf(from, until, now);
  return (
    <Tag color={COLOURS[phase]} data-phase={phase} className="phase-tag">
      {t(`panel.access.lp.phase.${phase}`)}
    </Tag>
  );
}
