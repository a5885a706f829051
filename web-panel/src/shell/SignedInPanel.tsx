import { LiveProvider } from '../live/connection';
import { ShellLayout } from './ShellLayout';
import { preloadPageOf } from './pages';

// The page the address asks for starts downloading now (if main.tsx has not already
// started it), alongside the shell's first render.
preloadPageOf(window.location.hash);

/** Everything behind sign-in, in its own chunk: the live connection starts only for staff. */
export default function SignedInPanel() {
  return (
    <LiveProvider>
      <ShellLayout />
    </LiveProvider>
  );
}
