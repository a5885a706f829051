import { useEffect, useState } from 'react';
import { IdcardOutlined, QuestionOutlined, UserOutlined } from '@ant-design/icons';
import { fetchPerson, photoUrl } from '../../../api/access';
import type { EdgeApi } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { useAccessText } from './useAccessText';

/** How long the panel trusts what it learnt about a person's photo (a photo may be added meanwhile). */
const PHOTO_FACT_TTL_MS = 10 * 60_000;

/**
 * Whether a person has a photo on the edge (the roster says so: `hasPhoto`), asked once
 * per person and reused for every scan: the gate page requests only photos that exist.
 */
const photoFacts = new Map<string, { at: number; has: Promise<boolean> }>();

export function hasPhoto(api: EdgeApi, personId: string, now = Date.now()): Promise<boolean> {
  const known = photoFacts.get(personId);
  if (known && now - known.at < PHOTO_FACT_TTL_MS) return known.has;
  const has = fetchPerson(api, personId).then(
    (p) => p.hasPhoto,
    () => false,
  );
  photoFacts.set(personId, { at: now, has });
  return has;
}

/** People whose photo failed to load anyway (removed meanwhile): not asked again this page load. */
const noPhoto = new Set<string>();

export type PhotoSubject = { kind: 'person'; personId: string; name: string } | { kind: 'pass' } | { kind: 'unknown' };

/** The person's photo from the edge, or a placeholder the size of one. */
export function PersonPhoto({ subject, size }: { subject: PhotoSubject; size: 'large' | 'small' }) {
  const { t } = useAccessText();
  const { api } = useSession();
  const personId = subject.kind === 'person' ? subject.personId : null;
  const [withPhoto, setWithPhoto] = useState<string | null>(null);
  useEffect(() => {
    if (personId === null) return;
    let current = true;
    void hasPhoto(api, personId).then((has) => {
      if (current && has) setWithPhoto(personId);
    });
    return () => {
      current = false;
    };
  }, [api, personId]);
  // Re-rendered for the next person when the latest scan changes: remember failures by id.
  const [failedId, setFailedId] = useState<string | null>(null);
  const failed = personId !== null && (failedId === personId || noPhoto.has(personId));
  const className = `person-photo person-photo-${size}`;

  if (subject.kind === 'person' && withPhoto === subject.personId && !failed) {
    return (
      <img
        className={className}
        src={photoUrl(subject.personId)}
        alt={t('panel.access.photoOf', { name: subject.name })}
        data-testid="person-photo"
        onError={() => {
          noPhoto.add(subject.personId);
          setFailedId(subject.personId);
        }}
      />
    );
  }
  const Icon = subject.kind === 'pass' ? IdcardOutlined : subject.kind === 'unknown' ? QuestionOutlined : UserOutlined;
  return (
    <span className={`${className} person-photo-placeholder`} data-testid="person-photo-placeholder" aria-hidden>
      <Icon />
    </span>
  );
}
