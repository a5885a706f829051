import { useState } from 'react';
import { IdcardOutlined, QuestionOutlined, UserOutlined } from '@ant-design/icons';
import { photoUrl } from '../../../api/access';
import { useAccessText } from './useAccessText';

/**
 * People known to have no photo on the edge: asked once per page load, so a busy gate
 * does not send a failing request for every scan of the same student.
 */
const noPhoto = new Set<string>();

export type PhotoSubject = { kind: 'person'; personId: string; name: string } | { kind: 'pass' } | { kind: 'unknown' };

/** The person's photo from the edge, or a placeholder the size of one. */
export function PersonPhoto({ subject, size }: { subject: PhotoSubject; size: 'large' | 'small' }) {
  const { t } = useAccessText();
  const personId = subject.kind === 'person' ? subject.personId : null;
  // Re-rendered for the next person when the latest scan changes: remember failures by id.
  const [failedId, setFailedId] = useState<string | null>(null);
  const failed = personId !== null && (failedId === personId || noPhoto.has(personId));
  const className = `person-photo person-photo-${size}`;

  if (subject.kind === 'person' && !failed) {
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
