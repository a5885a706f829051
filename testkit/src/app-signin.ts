import { waitFor } from './wait.js';

/** The parts of a playwright-core Page the sign-in helper uses (testkit does not depend on playwright). */
export interface AppPage {
  goto(url: string): Promise<unknown>;
  click(selector: string): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  locator(selector: string): { waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void> };
}

/**
 * Signs a staff member into the home-school app (`/parent/` on the cloud) with username and
 * password, as on a phone: the sign-in screen, the 教职工账号密码登录 fold, the form. Resolves when
 * `shows` (default the staff view) is visible.
 */
export async function appStaffSignIn(page: AppPage, cloudUrl: string, username: string, password: string, shows = '#staff'): Promise<void> {
  await page.goto(`${cloudUrl}/parent/`);
  await page.locator('#signin').waitFor({ state: 'visible' });
  await page.click('#signin details summary');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#staff-form button[type=submit]');
  await page.locator(shows).waitFor({ state: 'visible' });
}

/** An SMS as the tests' SMS gateway received it. */
export interface SentSms {
  to?: unknown;
  kind?: unknown;
  text?: unknown;
}

/**
 * Signs a guardian into the home-school app with phone and the one-time code, as on a phone:
 * `appUrl` is the app's address (`…/parent/`, with any query), `sent` lists the SMS the test's
 * gateway has received so far (the code is read from the first new one to `phone`). Resolves
 * when `shows` (default the guardian's home) is visible.
 */
export async function appGuardianSignIn(page: AppPage, appUrl: string, phone: string, sent: () => readonly SentSms[], shows = '#home'): Promise<void> {
  await page.goto(appUrl);
  await page.locator('#signin').waitFor({ state: 'visible' });
  const before = sent().length;
  await page.fill('#phone', phone);
  await page.click('#otp-form button[type=submit]');
  const sms = await waitFor(() => sent().slice(before).find((m) => m.to === phone && m.kind === 'otp'), `the code SMS to ${phone}`);
  await page.fill('#code', /(\d{6})/.exec(String(sms.text))![1]!);
  await page.click('#code-form button[type=submit]');
  await page.locator(shows).waitFor({ state: 'visible' });
}
