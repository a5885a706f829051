import { Button, Popconfirm } from 'antd';
import { useConsoleT } from '../i18n';
import { RecordTable, type FieldSpec } from './RecordTable';

const FIELDS: FieldSpec[] = [
  { name: 'personId', label: 'console.field.personId', type: 'text', required: true },
  { name: 'version', label: 'console.field.cardVersion', type: 'number', required: true, initial: 1 },
  { name: 'revoked', label: 'console.field.revoked', type: 'bool', initial: false },
  { name: 'validUntil', label: 'console.field.until', type: 'datetime' },
];

/**
 * Cards (卡片): issue (a card record, key = the person's id), reissue (the version goes up:
 * every older printed card is refused at the gates) and revoke (挂失: this version too).
 */
export default function CardsPage() {
  const { t } = useConsoleT();
  return (
    <RecordTable
      kind="card"
      fields={FIELDS}
      keyHint="console.field.personId"
      search={(r, text) => r.key.includes(text) || String(r.data.personId ?? '').includes(text)}
      rowActions={(r, save) => {
        const d = r.data as { personId: string; version: number; revoked: boolean };
        return (
          <>
            <Button size="small" onClick={() => void save(r.key, { ...d, version: d.version + 1, revoked: false }, r.version)}>
              {t('console.cards.reissue')}
            </Button>
            {!d.revoked && (
              <Popconfirm title={t('console.cards.revoke_confirm')} onConfirm={() => void save(r.key, { ...d, revoked: true }, r.version)}>
                <Button size="small" danger data-testid={`revoke-${r.key}`}>
                  {t('console.cards.revoke')}
                </Button>
              </Popconfirm>
            )}
          </>
        );
      }}
    />
  );
}
