import { LiveProvider } from '../live/connection';
import { ShellLayout } from './ShellLayout';
import { pathFromHash } from './location';
import { panelPages } from './pages';

// The page the address asks for starts downloading now, alongside the shell's first render.
void panelPages.find((p) => p.path === pathFromHash(window.location.hash))?.Page.preload().catch(() => undefined);

/** Everything behind sign-in, in its own chunk: the live connection starts only for staff. */
export default function SignedInPanel() {
  return (
    <LiveProvider>
      <ShellLayout />
    </LiveProvider>
  );
}
