import { LiveProvider } from '../live/connection';
import { ShellLayout } from './ShellLayout';

/** Everything behind sign-in, in its own chunk: the live connection starts only for staff. */
export default function SignedInPanel() {
  return (
    <LiveProvider>
      <ShellLayout />
    </LiveProvider>
  );
}
