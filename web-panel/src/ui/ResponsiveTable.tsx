import { Table, type TableProps } from 'antd';
import type { ColumnType } from 'antd/es/table';
import { usePhone } from './useMedia';

export interface ResponsiveTableProps<T> extends TableProps<T> {
  /**
   * On a phone, the key of the column whose cell heads each card (the record's key fact);
   * by default the first column.
   */
  cardTitle?: string;
}

function columnLabel(title: unknown): string {
  return typeof title === 'string' || typeof title === 'number' ? String(title) : '';
}

/**
 * antd's Table on tablets and desks; on a phone the same columns as a card list, one
 * record per card: the key fact on top, then each other column as "label value".
 * Columns marked `responsive` keep hiding where antd hides them.
 */
export function ResponsiveTable<T extends object>({ cardTitle, className, columns, ...rest }: ResponsiveTableProps<T>) {
  const phone = usePhone();
  if (!phone) return <Table<T> {...rest} columns={columns} className={['rt', className].filter(Boolean).join(' ')} />;
  const titleKey = cardTitle ?? (columns?.[0]?.key as string | undefined);
  const cardColumns = columns?.map((c) => {
    const col = c as ColumnType<T>;
    const isTitle = col.key !== undefined && col.key === titleKey;
    return {
      ...col,
      width: undefined,
      fixed: undefined,
      ellipsis: false,
      onCell: (record: T, index?: number) => ({
        ...(col.onCell?.(record, index) ?? {}),
        'data-label': isTitle ? '' : columnLabel(col.title),
        'data-card-title': isTitle ? 'true' : undefined,
      }),
    };
  });
  return (
    <Table<T>
      {...rest}
      columns={cardColumns as TableProps<T>['columns']}
      scroll={undefined}
      sticky={false}
      showHeader={false}
      tableLayout="auto"
      className={['rt', 'rt-cards', className].filter(Boolean).join(' ')}
    />
  );
}
