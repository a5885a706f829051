import type { ReactNode } from 'react';
import { Flex } from 'antd';
import { CloseCircleFilled, StopOutlined, WarningFilled } from '@ant-design/icons';

const ICONS = {
  warning: <WarningFilled style={{ color: '#faad14' }} />,
  error: <CloseCircleFilled style={{ color: '#ff4d4f' }} />,
  forbidden: <StopOutlined style={{ color: '#8c8c8c' }} />,
} as const;

/**
 * A full-width notice (forbidden page, edge unreachable, page failed). antd's Result
 * ships large illustrations, which would weigh on the first chunk for a rare screen.
 */
export function StatusNotice(props: { kind: keyof typeof ICONS; title: string; detail?: string; action?: ReactNode }) {
  return (
    <Flex vertical align="center" gap="middle" className="status-notice" role="status" data-testid={`status-${props.kind}`}>
      <span className="status-notice-icon">{ICONS[props.kind]}</span>
      <div className="status-notice-title">{props.title}</div>
      {props.detail && <div className="status-notice-detail">{props.detail}</div>}
      {props.action}
    </Flex>
  );
}
