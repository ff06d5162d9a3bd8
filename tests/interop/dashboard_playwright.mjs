// The dashboard in a real browser: Debian's chromium driven by playwright-core against a running
// fleet (started by tests/integration/cli_dashboard.cpp, which passes the addresses in the
// environment). Every wait is Playwright's own (locator.waitFor, waitForFunction): no sleeps.
//
// Environment: DASHBOARD_URL, ROUNDTABLE (the CLI), NATS_URL, BRIDGE_PID (galahad's nats-bridge),
// SCREENSHOT (a .png path), CHROMIUM (default /usr/bin/chromium), QUICK_TASK_ID (a task stored
// with a result and no task.claimed).
// Talks back on stdout: "RELEASE" when the held task was seen in flight (the test then lets the
// LLM answer), "OK" at the end. Exit code 0 only when every check passed.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const WAIT = 30000;
const HOSTILE = '<img src=x onerror="window.__xss=1">';

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

// roundtable ask in the background; resolves with its exit code and output.
function ask(params) {
  return new Promise(resolve => {
    const child = spawn(env.ROUNDTABLE, ['ask', 'security.briefing', '--params', JSON.stringify(params), '--wait', '60s', '--json'],
                        { env: { ...env, NATS_URL: env.NATS_URL, FLEET_ID: 'fleet-a' } });
    let out = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { out += d; });
    child.on('close', code => resolve({ code, out }));
  });
}

const profile = mkdtempSync(join(tmpdir(), 'rt-dashboard-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1300 },
});
const problems = [];
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', e => problems.push('page error: ' + e.message));
  page.on('console', m => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  await page.goto(env.DASHBOARD_URL);
  await page.locator('#connection', { hasText: 'live' }).waitFor();

  // 1. The knight is listed up, with its model and capabilities.
  const galahad = page.locator('#knights tr[data-agent="galahad"]');
  await page.locator('#knights tr[data-agent="galahad"][data-status="healthy"]').waitFor();
  check((await galahad.locator('.model').textContent()) === 'claude-sonnet-4-5', 'galahad shows his model');
  check((await galahad.locator('.capabilities').textContent()).includes('security.briefing'), 'galahad shows his capabilities');

  // 2. Hostile text from the bus (a heartbeat's model, below an answer) shows as text.
  const mordred = page.locator('#knights tr[data-agent="mordred"]');
  await mordred.waitFor();
  check((await mordred.locator('.model').textContent()) === HOSTILE, 'a hostile model name is shown as text');
  const forged = page.locator('#knights tr[data-agent="<script>window.__xss=2</script>"]');
  await forged.waitFor();
  check((await forged.locator('.name').textContent()) === '<script>window.__xss=2</script>', 'a hostile knight name is shown as text');
  check(await page.locator('#knights img, #knights script').count() === 0, 'no element was made from bus text');

  // 3. A task appears in flight (the LLM holds its answer), then completes with duration and tokens.
  const held = ask({ case: 'hold-7f3a' });
  const running = page.locator('#inflight tr[data-status="running"]', { hasText: 'security.briefing' });
  await running.waitFor();
  const taskId = await running.getAttribute('data-task-id');
  check(/^[0-9a-f-]{36}$/.test(taskId), 'the in-flight row names its task id: ' + taskId);
  console.log('RELEASE');
  const done = page.locator(`#results tr[data-task-id="${taskId}"]`);
  await done.waitFor();
  const answered = await held;
  check(answered.code === 0, 'roundtable ask got the answer: ' + answered.out);
  check(await page.locator(`#inflight tr[data-task-id="${taskId}"]`).count() === 0, 'the task left the in-flight table');
  check(/\d+(\.\d)? (ms|s)$/.test(await done.locator('.duration').textContent()), 'the result shows a duration');
  check((await done.locator('.tokens').textContent()) === '1280', 'the result shows its tokens (1200 in + 80 out)');
  check((await done.locator('.attempts').textContent()) === '1', 'one attempt');
  check((await done.locator('.cost').textContent()).startsWith('$0.0'), 'the result shows its cost');
  check((await done.locator('.answer').textContent()).includes(HOSTILE), 'a hostile answer is shown as text');
  check(await page.locator('#results img').count() === 0, 'the answer made no element');

  // 4. Its trace: a waterfall (queued, then the attempt that completed) and the events.
  await done.click();
  await page.locator('#trace:not([hidden])').waitFor();
  await page.locator('#waterfall .wf-row[data-kind="completed"]').waitFor();
  check(await page.locator('#waterfall .wf-row[data-kind="queued"]').count() === 1, 'the trace shows the time queued');
  for (const type of ['task.request', 'task.claimed', 'task.result'])
    check(await page.locator(`#trace-events tr[data-type="${type}"]`).count() >= 1, 'the trace lists ' + type);
  await page.locator('#trace').screenshot({ path: (env.SCREENSHOT || join(tmpdir(), 'rt-dashboard.png')).replace(/\.png$/, '-trace.png') });

  // 5. A task that dead-letters (the LLM fails, MAX_DELIVER=1) shows with its reason.
  const failed = await ask({ case: 'fail-7f3a' });
  check(failed.code === 1, 'roundtable ask reports the failure: ' + failed.out);
  const dead = page.locator('#failures tr[data-status="deadletter"]');
  await dead.waitFor();
  check((await dead.locator('.status').textContent()) === 'dead letter', 'the failure is shown as a dead letter');
  check(/^[a-z_]+$/.test(await dead.locator('.error').textContent()), 'the dead letter names its error code');
  check((await dead.locator('.reason').textContent()).length > 0, 'the dead letter gives its reason');

  // 5b. A task answered within its bridge's CLAIM_NOTICE_AFTER has no task.claimed (stored by the
  // test: a request and a result): its trace still shows the time queued and the attempt.
  const quick = page.locator(`#results tr[data-task-id="${env.QUICK_TASK_ID}"]`);
  await quick.click();
  await page.locator('#trace-title', { hasText: env.QUICK_TASK_ID }).waitFor();
  await page.locator('#waterfall .wf-row[data-kind="completed"]').waitFor();
  check(await page.locator('#waterfall .wf-row[data-kind="queued"]').count() === 1, 'the quick task\'s trace shows the time queued');
  check(await page.locator('#trace-events tr[data-type="task.claimed"]').count() === 0, 'the quick task has no task.claimed');

  // 6. Spend today, from the gateways' Redis counters.
  await page.locator('#spend tr[data-agent="galahad"]').waitFor();
  check((await page.locator('#spend-total').textContent()).startsWith('$0.0'), 'spend today is shown');

  // 7. The knight's bridge dies: the page shows him down (no reload).
  process.kill(Number(env.BRIDGE_PID), 'SIGKILL');
  await page.locator('#knights tr[data-agent="galahad"][data-status="down"]').waitFor();
  check((await galahad.locator('.note').textContent()).startsWith('no heartbeat since'), 'the note says why');

  check(await page.evaluate(() => window.__xss === undefined), 'no injected script ran');
  await page.locator('#trace-close').click();
  await page.screenshot({ path: env.SCREENSHOT || join(tmpdir(), 'rt-dashboard.png'), fullPage: true });
  check(problems.length === 0, problems.join('; '));
  console.log('OK');
} catch (error) {
  const page = context.pages()[0];
  if (page) await page.screenshot({ path: (env.SCREENSHOT || join(tmpdir(), 'rt-dashboard.png')) + '.failed.png', fullPage: true });
  throw error;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
