import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { askSessionEarly } from './auth/early';
import './styles.css';

// A signed-in reload or deep link (a gate tablet that stays signed in): ask the edge
// who is signed in and fetch the shell and the page the address names side by side,
// before React's first frame (one long task on a slow phone) rather than behind it.
// SessionProvider takes that answer (auth/early.ts) instead of asking again; the chunks
// are the same modules either way (a signed-out visitor fetches neither).
// The page table is a small chunk; the first frame waits for it so the page's own chunks
// are already on their way while that frame renders.
const sessionKnown = askSessionEarly()
  .then(async (signedIn) => {
    if (!signedIn) return;
    void import('./shell/SignedInPanel').catch(() => undefined);
    const { preloadPageOf } = await import('./shell/pages');
    preloadPageOf(window.location.hash);
  })
  .catch(() => undefined);

/** How long the first frame waits for all that (on a LAN: tens of milliseconds). */
const SESSION_WAIT_MS = 300;

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const render = () =>
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
void Promise.race([sessionKnown, new Promise((resolve) => setTimeout(resolve, SESSION_WAIT_MS))]).then(render);
