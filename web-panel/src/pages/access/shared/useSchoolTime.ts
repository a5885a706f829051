import { useCallback, useEffect, useState } from 'react';
import { fetchSchoolToday } from '../../../api/access';
import type { EdgeApi } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { useAccessText } from './useAccessText';
import { clockTime, shortDateTime } from './format';

/** Asked once per page load and shared by every card on screen. */
let known: string | undefined;
let asking: Promise<string> | null = null;

function askTimeZone(api: EdgeApi): Promise<string> {
  asking ??= fetchSchoolToday(api).then(
    (today) => (known = today.timeZone),
    (err: unknown) => {
      asking = null; // try again on the next page that needs it
      throw err;
    },
  );
  return asking;
}

export interface SchoolTime {
  /** The school's time zone once the edge has said it; until then the tablet's own. */
  timeZone: string | undefined;
  clock: (at: number) => string;
  dateTime: (at: number) => string;
}

/**
 * Times as the school's clocks show them (the edge's `access.timeZone`), whatever zone
 * the tablet or PC happens to be set to.
 */
export function useSchoolTime(): SchoolTime {
  const { api } = useSession();
  const { locale } = useAccessText();
  const [timeZone, setTimeZone] = useState(known);
  useEffect(() => {
    if (known) return;
    let live = true;
    askTimeZone(api).then(
      (tz) => live && setTimeZone(tz),
      (err: unknown) => console.warn('panel: school time zone unknown, showing local time', err),
    );
    return () => {
      live = false;
    };
  }, [api]);
  const clock = useCallback((at: number) => clockTime(locale, at, timeZone), [locale, timeZone]);
  const dateTime = useCallback((at: number) => shortDateTime(locale, at, timeZone), [locale, timeZone]);
  return { timeZone, clock, dateTime };
}
