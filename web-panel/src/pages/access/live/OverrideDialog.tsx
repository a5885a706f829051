import { useState } from 'react';
import { Descriptions, Flex, Segmented, Select } from 'antd';
import type { Direction, GateView } from '@campus/protocol/access/index';
import { openGate } from '../../../api/access';
import { DIRECTIONS } from '../../../api/access-schemas';
import type { PanelEvent } from '../../../api/types';
import { useSession } from '../../../auth/session';
import { useAccessText } from '../shared/useAccessText';
import { ReasonDialog } from '../shared/ReasonDialog';
import { overridePersonId, type GateDecision } from './decisions';

/** Either a refusal being answered, or a gate opened by hand without a scan. */
export type OverrideTarget = { kind: 'refusal'; decision: GateDecision } | { kind: 'manual'; gateId: string | null };

const PRESETS = [
  'panel.access.override.preset.verified',
  'panel.access.override.preset.parent',
  'panel.access.override.preset.teacher',
  'panel.access.override.preset.card',
] as const;

export function OverrideDialog(props: { target: OverrideTarget | null; gates: readonly GateView[]; onDone: (decision: PanelEvent) => void; onClose: () => void }) {
  const { api } = useSession();
  const { locale, t } = useAccessText();
  const target = props.target;
  // The manual choice starts from the gate the guard is watching.
  const [manualGate, setManualGate] = useState<string | null>(null);
  const [manualDirection, setManualDirection] = useState<Direction>('in');
  const gateId = target?.kind === 'refusal' ? target.decision.gate : (manualGate ?? target?.gateId ?? props.gates[0]?.id ?? null);
  const gate = props.gates.find((g) => g.id === gateId);
  const direction: Direction = gate && !gate.directions.includes(manualDirection) ? (gate.directions[0] ?? manualDirection) : manualDirection;

  async function submit(why: string) {
    if (!target || !gateId) return;
    const request =
      target.kind === 'refusal'
        ? { direction: target.decision.direction, why, decisionId: target.decision.id, personId: overridePersonId(target.decision) }
        : { direction, why };
    props.onDone(await openGate(api, gateId, request));
  }

  let summary = null;
  if (target?.kind === 'refusal') {
    const d = target.decision;
    summary = (
      <Descriptions
        column={1}
        size="small"
        bordered
        styles={{ label: { whiteSpace: 'nowrap' } }}
        items={[
          { key: 'who', label: t('panel.access.people.col.name'), children: d.who },
          {
            key: 'where',
            label: t('panel.access.override.gate'),
            children: t('panel.access.live.gateDirection', { gate: d.gateName, direction: t(`panel.access.direction.${d.direction}`) }),
          },
          { key: 'why', label: t('panel.access.reason'), children: t('panel.access.override.refused', { reason: d.text[locale] }) },
        ]}
      />
    );
  } else if (target?.kind === 'manual') {
    summary = (
      <Flex gap="middle" wrap="wrap" align="center">
        <Select
          size="large"
          className="override-gate"
          aria-label={t('panel.access.override.gate')}
          value={gateId ?? undefined}
          onChange={setManualGate}
          options={props.gates.map((g) => ({ value: g.id, label: g.name }))}
          data-testid="override-gate"
        />
        <Segmented<Direction>
          size="large"
          value={direction}
          onChange={setManualDirection}
          options={DIRECTIONS.filter((dir) => !gate || gate.directions.includes(dir)).map((dir) => ({ value: dir, label: t(`panel.access.direction.${dir}`) }))}
        />
      </Flex>
    );
  }

  return (
    <ReasonDialog
      open={target !== null}
      title={t(target?.kind === 'manual' ? 'panel.access.live.manualOpen' : 'panel.access.override.title')}
      presets={PRESETS}
      submitLabel={t('panel.access.override.submit')}
      onSubmit={submit}
      onClose={() => {
        setManualGate(null);
        props.onClose();
      }}
      testId="override-dialog"
    >
      {summary}
    </ReasonDialog>
  );
}
