import { useRef, useState } from 'react';
import { Alert, Button, Flex, Image, Typography } from 'antd';
import { CameraOutlined, DeleteOutlined } from '@ant-design/icons';
import { useSession } from '../../auth/session';
import type { ApiError } from '../../api/client';
import { facilitiesApi, type Photo } from './api';
import { resizePhoto } from './photo';
import { useFacText } from './useFacText';

/**
 * Takes a photo (the phone's camera or a file), shrinks it on the phone and uploads it;
 * `onChange` gets the stored photo's id, or null when removed. The edge's refusal of a
 * file that is not an image or is too large is shown in its own words.
 */
export function PhotoField({ value, onChange, testId = 'photo', required = false }: { value: string | null; onChange: (id: string | null) => void; testId?: string; required?: boolean }) {
  const { api } = useSession();
  const { t, locale } = useFacText();
  const file = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [photo, setPhoto] = useState<Photo | null>(null);

  const pick = async (f: File | undefined) => {
    if (!f) return;
    setBusy(true);
    setError(null);
    try {
      const small = await resizePhoto(f);
      const stored = await facilitiesApi.uploadPhoto(api, small);
      if (preview) URL.revokeObjectURL(preview);
      setPreview(URL.createObjectURL(small));
      setPhoto(stored);
      onChange(stored.id);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
      if (file.current) file.current.value = '';
    }
  };

  const clear = () => {
    if (preview) URL.revokeObjectURL(preview);
    setPreview(null);
    setPhoto(null);
    onChange(null);
  };

  return (
    <Flex vertical gap="small" data-testid={testId} data-photo={value ?? ''}>
      <input ref={file} type="file" accept="image/*" capture="environment" hidden onChange={(e) => void pick(e.target.files?.[0])} data-testid={`${testId}-file`} />
      {value && preview ? (
        <Flex gap="small" align="center">
          <Image src={preview} width={72} height={72} style={{ objectFit: 'cover', borderRadius: 6 }} preview={false} />
          <Typography.Text type="secondary" data-testid={`${testId}-size`}>
            {photo ? t('fac.photo.stored', { kb: Math.ceil(photo.bytes / 1024), w: photo.width, h: photo.height }) : ''}
          </Typography.Text>
          <Button icon={<DeleteOutlined />} onClick={clear} aria-label={t('fac.photo.remove')} />
        </Flex>
      ) : (
        <Button size="large" block icon={<CameraOutlined />} loading={busy} onClick={() => file.current?.click()} danger={required && !value} data-testid={`${testId}-take`}>
          {t(required ? 'fac.photo.takeRequired' : 'fac.photo.take')}
        </Button>
      )}
      {error && <Alert type="error" showIcon message={error.text[locale]} data-testid={`${testId}-error`} />}
    </Flex>
  );
}
