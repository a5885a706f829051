import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Flex, Typography } from 'antd';
import { PoweroffOutlined } from '@ant-design/icons';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { facilitiesApi, type RoomPower } from './api';
import { useFacText } from './useFacText';

/** Below this a room counts as off (standby loads, a router). */
const OFF_BELOW_W = 50;

/** The room is off by what the energy domain knows: every circuit reads back off, or the meter shows standby only. */
export function roomLooksOff(p: RoomPower): boolean {
  return p.allOff || (p.watts !== null && p.watts < OFF_BELOW_W);
}

/**
 * "Lights and AC off after school": the room's live power and circuits (from the energy
 * domain), a button that switches them all off as the inspector's manual switch, and the
 * answer pre-filled from what the room reads.
 */
export function RoomPowerBox({ checkpointId, room, onPrefill }: { checkpointId: string; room: string; onPrefill: (off: boolean) => void }) {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const [power, setPower] = useState<RoomPower | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [switched, setSwitched] = useState<number | null>(null);
  // The latest onPrefill, without re-reading the room each time the page re-renders.
  const onPrefillRef = useRef(onPrefill);
  useEffect(() => {
    onPrefillRef.current = onPrefill;
  });
  const prefill = useCallback((p: RoomPower) => onPrefillRef.current(roomLooksOff(p)), []);

  useEffect(() => {
    let live = true;
    facilitiesApi.roomPower(api, room, checkpointId).then(
      (p) => {
        if (!live) return;
        setPower(p);
        prefill(p);
      },
      (err: ApiError) => live && setError(err),
    );
    return () => {
      live = false;
    };
    // Read once per checklist; the switch answer brings the new state.
  }, [api, room, checkpointId, prefill]);

  const switchOff = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await facilitiesApi.roomSwitchOff(api, room, checkpointId);
      setPower(answer.power);
      setSwitched(answer.results.filter((r) => r.actual === false).length);
      prefill(answer.power);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  if (error) return <Alert type="warning" showIcon message={error.text[locale]} data-testid={`room-${room}-error`} />;
  if (!power) return null;
  const on = power.circuits.filter((c) => c.on !== false);
  return (
    <Flex vertical gap="small" className="fac-room" data-testid={`room-${room}`} data-off={String(roomLooksOff(power))}>
      <Typography.Text>
        {power.watts === null ? t('fac.room.noMeter', { name: power.name }) : t('fac.room.power', { name: power.name, watts: Math.round(power.watts) })}
      </Typography.Text>
      <Typography.Text type={on.length ? 'warning' : 'success'}>{on.length ? t('fac.room.on', { circuits: on.map((c) => c.name).join('、') }) : t('fac.room.allOff')}</Typography.Text>
      {switched !== null && <Typography.Text type="secondary">{t('fac.room.switched', { count: switched })}</Typography.Text>}
      {on.length > 0 && (
        <Button size="large" block danger icon={<PoweroffOutlined />} loading={busy} onClick={() => void switchOff()} data-testid={`room-${room}-off`}>
          {t('fac.room.switchOff', { count: on.length })}
        </Button>
      )}
    </Flex>
  );
}
