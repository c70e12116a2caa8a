// Records a user's journey through perfgate-testbed as a HAR file, in headless Chromium driven by
// Playwright's recordHar: the page is opened, a static asset and a third-party beacon load with it,
// then the page's script signs in, validates the token, opens the user's profile and report, starts
// an asynchronous report, polls its job until it is done and fetches the result, with the pauses a
// person leaves between clicks. The HAR is the input of `perfgate scenario import --har`.
// Usage: node record_journey.mjs BASE_URL OUT.har      (record.sh starts the testbed and calls this)
import { chromium } from 'playwright-core';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node record_journey.mjs http://127.0.0.1:PORT OUT.har');
  process.exit(2);
}
const port = new URL(base).port;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const context = await browser.newContext({ recordHar: { path: out, content: 'embed' } });
  const page = await context.newPage();
  await page.goto(`${base}/health`);
  const done = await page.evaluate(async ({ port }) => {
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const json = async (response) => {
      if (!response.ok) throw new Error(`${response.url}: ${response.status}`);
      return response.json();
    };
    // What a page loads besides its API: an image (a static asset) and an analytics beacon on
    // another host name (localhost, still the loopback interface).
    const logo = document.createElement('img');
    logo.src = '/static/logo.png';
    document.body.appendChild(logo);
    await fetch(`http://localhost:${port}/health?beacon=page-view`, { mode: 'no-cors' }).catch(() => {});
    await pause(800);

    const signIn = await json(await fetch('/auth/token?user_id=42'));
    const auth = { Authorization: `Bearer ${signIn.token}` };
    await pause(400);
    await json(await fetch('/auth/validate', { headers: auth }));
    await json(await fetch('/users/42', { headers: auth }));
    await pause(1200);
    await json(await fetch('/reports/by-user?user_id=42', { headers: auth }));
    await pause(700);

    const started = await fetch('/reports/async?user_id=42&days=365', { method: 'POST', headers: auth });
    if (started.status !== 202) throw new Error(`expected a new job (202), got ${started.status}`);
    const { job_id } = await started.json();
    let polls = 0;
    for (;;) {
      const job = await json(await fetch(`/reports/jobs/${job_id}`, { headers: auth }));
      polls += 1;
      if (job.status === 'done') break;
      if (job.status === 'failed' || polls > 200) throw new Error(`job ${job_id}: ${job.status}`);
      await pause(250);
    }
    await json(await fetch(`/reports/async/result/${job_id}`, { headers: auth }));
    return polls;
  }, { port });
  console.log(`recorded the journey (${done} polls of the job)`);
  await context.close();  // writes the HAR
} finally {
  await browser.close();
}
