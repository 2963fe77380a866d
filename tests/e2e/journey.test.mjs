// End-to-end journey of a new user in a real browser (Debian's chromium driven by playwright-core)
// against the real server (`tinydata serve`) serving the built web app (web/dist):
//   a requester creates a project, uploads tasks (first a broken file: per-row errors), funds it;
//   three annotators sign up (two through a referral link), check in and answer until every task
//   retires, surviving a dropped network and a lost response without double counting;
//   the requester watches the charts, pauses/resumes and downloads the export;
//   an annotator verifies a ledger inclusion proof in the browser.
// Every main screen is saved at 390x844 and 1440x900 under $E2E_OUT (default build/e2e-screenshots),
// every page fails the test on a console error, and each screen gets basic accessibility checks.
//
// Run: node --test tests/e2e/   (`make e2e` and `make test` do; the server binary comes from
// $TINYDATA_BIN or $BUILD_DIR/src/tinydata/cli/tinydata, the browser from $CHROMIUM or
// /usr/bin/chromium). Without them the journey is skipped, or fails when E2E_REQUIRE=1.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { accessibilityProblems } from './a11y.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildDir = path.resolve(repo, process.env.BUILD_DIR ?? 'build');
const serverBin = process.env.TINYDATA_BIN ?? path.join(buildDir, 'src/tinydata/cli/tinydata');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const webDist = path.join(repo, 'web/dist');
const outDir = path.resolve(process.env.E2E_OUT ?? path.join(buildDir, 'e2e-screenshots'));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
const PASSWORD = 'correct horse battery';
const OPERATOR_EMAIL = 'operator@example.com';

// Each task's text names its true label, so the test knows the right answer without gold.
const TASKS = [
  { text: 'A small animal that purrs', truth: 'cat', gold: 'cat' },
  { text: 'It barks at the mail carrier', truth: 'dog' },
  { text: 'It sings at dawn', truth: 'bird', gold: 'bird' },
  { text: 'Chases a laser dot', truth: 'cat' },
  { text: 'Fetches the ball', truth: 'dog' },
  { text: 'Builds a nest', truth: 'bird' },
];
const OPTIONS = [
  { value: 'cat', label: 'Cat' },
  { value: 'dog', label: 'Dog' },
  { value: 'bird', label: 'Bird' },
];

/** Why the journey cannot run here, or null when it can. */
function missingPrerequisite() {
  if (!existsSync(serverBin)) return `server binary ${serverBin} is not built`;
  if (spawnSync(serverBin, ['serve', '--help'], { stdio: 'ignore' }).status !== 0) {
    return `${serverBin} has no working 'serve' subcommand yet`;
  }
  if (!existsSync(path.join(webDist, 'index.html'))) return 'web/dist is not built (make web)';
  if (!existsSync(chromiumPath)) return `${chromiumPath} is missing (apt-get install chromium)`;
  return null;
}
const skipReason = missingPrerequisite();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (skipReason && process.env.E2E_REQUIRE === '1') {
  it('web app journey', () => assert.fail(`cannot run: ${skipReason}`));
} else if (skipReason) {
  it('web app journey', { skip: skipReason }, () => {});
} else describe('web app journey', () => {
  let server;
  let serverLog = '';
  let baseUrl;
  let browser;
  let tmp;
  const failures = new Set();
  const consoleErrors = [];
  let allowNetworkErrors = false;
  // Chromium logs every 4xx/5xx fetch as a console error; a step that provokes one on purpose
  // names its status here, so only that one is excused.
  let allowedHttpStatus = null;
  const state = { projectId: 0, referral: '', annotators: [], keysByAssignment: new Map() };

  /** A fresh context+page that records console errors (failing the test at the end). */
  async function newPage(name, viewport) {
    const context = await browser.newContext({ viewport, acceptDownloads: true, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      if (allowNetworkErrors && /net::ERR_|Failed to load resource|Failed to fetch/.test(text)) return;
      if (allowedHttpStatus !== null && text.includes(`Failed to load resource: the server responded with a status of ${allowedHttpStatus} `)) return;
      consoleErrors.push(`[${name}] ${text}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`[${name}] uncaught: ${error.message}`));
    return { context, page };
  }

  /** Saves the current screen at phone and desktop size, restoring the page's own size. */
  async function shoot(page, name) {
    const own = page.viewportSize();
    for (const [label, size] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ]) {
      await page.setViewportSize(size);
      // From the top, so the sticky header is drawn where it belongs in the full-page image.
      await page.evaluate(() => window.scrollTo(0, 0));
      await sleep(150);
      // A full-page image would draw the phone's fixed tab bar over the middle of the page; it is
      // pinned to the end of the document for the picture instead.
      // Applied as a constructed style sheet: the app's Content-Security-Policy forbids inline
      // styles, which is what Playwright's `style` option (and its caret hiding) would inject.
      const style = label === 'phone' ? '.shell { position: relative; min-height: 100vh; } .topbar { position: static !important; } .nav { position: absolute !important; }' : '';
      await page.evaluate((css) => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        window.__shotSheet = sheet;
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }, style);
      await page.screenshot({ path: path.join(outDir, `${name}-${label}.png`), fullPage: true, caret: 'initial' });
      await page.evaluate(() => {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== window.__shotSheet);
      });
    }
    await page.setViewportSize(own);
  }

  /** Fails the current step when the screen has basic accessibility problems (see a11y.mjs) at either size. */
  async function checkAccessibility(page, screen) {
    const own = page.viewportSize();
    for (const [label, size] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ]) {
      await page.setViewportSize(size);
      await sleep(100);
      assert.deepEqual(await accessibilityProblems(page), [], `accessibility problems on ${screen} (${label})`);
    }
    await page.setViewportSize(own);
  }

  /** Runs a step; later steps that need it are skipped once it failed. */
  function step(name, needs, fn) {
    it(name, async (t) => {
      const missing = needs.filter((n) => failures.has(n));
      if (missing.length > 0) {
        failures.add(name);
        t.skip(`needs: ${missing.join(', ')}`);
        return;
      }
      try {
        await fn(t);
      } catch (error) {
        failures.add(name);
        throw error;
      }
    });
  }

  const api = async (token, method, url, body) => {
    const response = await fetch(baseUrl + url, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  before(async () => {
    mkdirSync(outDir, { recursive: true });
    tmp = mkdtempSync(path.join(tmpdir(), 'tinydata-e2e-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // The operator exists before the first start, as the README has it.
    const added = spawnSync(serverBin, ['user', 'add', '--database', path.join(tmp, 'e2e.db'), '--email', OPERATOR_EMAIL, '--role', 'admin', '--password', PASSWORD], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`tinydata user add failed: ${added.stderr}`);
    server = spawn(serverBin, ['serve', '--listen', `127.0.0.1:${port}`, '--database', path.join(tmp, 'e2e.db'), '--web-root', webDist], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout.on('data', (d) => (serverLog += d));
    server.stderr.on('data', (d) => (serverLog += d));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}:\n${serverLog}`);
      try {
        if ((await fetch(`${baseUrl}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`server did not answer /healthz within 30 s:\n${serverLog}`);
      await sleep(100);
    }
    const require = createRequire(path.join(repo, 'web/package.json'));
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      // No --user-data-dir here: playwright refuses it in launch() and itself starts chromium
      // with a fresh, empty --user-data-dir under $TMPDIR that it deletes on close.
    });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await Promise.race([new Promise((r) => server.once('exit', r)), sleep(5000)]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    console.log(`e2e: screenshots in ${outDir}`);
  });

  let requester;

  step('a logged-out visitor at / and at any other page gets the sign-in page', [], async () => {
    const { context, page } = await newPage('visitor', PHONE);
    for (const where of ['/', '/annotate', '/projects/1', '/no/such/page']) {
      await page.goto(`${baseUrl}${where}`);
      await page.waitForURL('**/login');
      await page.getByRole('heading', { name: 'Welcome back' }).waitFor({ timeout: 5000 });
      await page.getByRole('button', { name: 'Log in' }).waitFor();
    }
    await shoot(page, '00-start-logged-out');
    await context.close();
  });

  step('requester signs up and creates a project with the form', [], async () => {
    requester = await newPage('requester', DESKTOP);
    const { page } = requester;
    // Where a new user starts: the address of the site.
    await page.goto(`${baseUrl}/`);
    await page.waitForURL('**/login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/signup');
    await shoot(page, '01-signup');
    await checkAccessibility(page, 'sign up');
    await page.getByLabel('Email').fill('requester@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Display name (shown on leaderboards)').fill('Acme AI');
    await page.getByLabel('Request data').check();
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL('**/projects');
    await page.getByRole('link', { name: 'New project' }).click();
    await page.waitForURL('**/projects/new');
    // Submitting empty shows field errors before anything is sent.
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByText('Give the project a title.').waitFor();
    await page.getByLabel('Title').fill('Animals by description');
    await page.getByLabel('Instructions for annotators').fill('Which animal does the sentence describe?');
    await page.getByLabel('Option 1 label').fill('Cat');
    await page.getByLabel('Option 2 label').fill('Dog');
    await page.getByRole('button', { name: 'Add option' }).click();
    await page.getByLabel('Option 3 label').fill('Bird');
    await page.getByLabel('At least').fill('3');
    await page.getByLabel('At most').fill('3');
    await page.getByLabel('Stop at confidence').fill('0.9');
    await page.getByLabel('Reward per accepted answer (AIA)').fill('10');
    await page.getByLabel('Gold rate (share of check questions)').fill('0.3');
    await shoot(page, '02-new-project');
    await checkAccessibility(page, 'new project');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/\d+$/);
    state.projectId = Number(page.url().split('/').pop());
    assert.ok(state.projectId > 0);
    await page.getByRole('heading', { name: 'Animals by description' }).waitFor();
  });

  step('requester sees per-row errors for a broken tasks file, then uploads a good one', ['requester signs up and creates a project with the form'], async () => {
    const { page } = requester;
    const broken = ['{"data": {"text": "fine"}}', '{"data": {"text": "broken"', '{"data": {"text": "bad gold"}, "gold": "cow"}'].join('\n');
    await page.getByLabel('Tasks file').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(broken) });
    allowedHttpStatus = 400;
    await page.getByRole('button', { name: 'Upload' }).click();
    const table = page.getByTestId('row-errors');
    await table.waitFor();
    allowedHttpStatus = null;
    const lines = await table.locator('tbody tr td:first-child').allTextContents();
    assert.ok(lines.includes('2'), `line 2 (bad JSON) should be reported, got lines ${lines}`);
    await shoot(page, '03-upload-errors');
    const good = TASKS.map((t) => JSON.stringify(t.gold ? { data: { text: t.text }, gold: t.gold } : { data: { text: t.text } })).join('\n');
    await page.getByLabel('Tasks file').setInputFiles({ name: 'animals.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('upload-result').waitFor();
    assert.match(await page.getByTestId('upload-result').textContent(), /Imported 6 items \(2 gold\)/);
  });

  step('requester funds the reward budget', ['requester signs up and creates a project with the form'], async () => {
    const { page } = requester;
    // Without credit nothing can be funded: points are not created by asking for them.
    await page.getByLabel('Amount (AIA)').fill('5000');
    allowedHttpStatus = 409;
    await page.getByRole('button', { name: 'Fund' }).click();
    await page.getByTestId('fund-message').waitFor();
    allowedHttpStatus = null;
    assert.match(await page.getByTestId('fund-message').textContent(), /credit is 0 AIA/);
    // The operator credits the requester's payment and the check-in pool.
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: OPERATOR_EMAIL, password: PASSWORD }),
    });
    const operator = (await login.json()).token;
    for (const body of [
      { email: 'requester@example.com', amount_aia: 6000, reference: 'INV-E2E-1' },
      { pool: 'checkin', amount_aia: 1000, reference: 'POOL-E2E-1' },
    ]) {
      const granted = await api(operator, 'POST', '/api/v1/admin/credits', body);
      assert.equal(granted.status, 201, JSON.stringify(granted.body));
    }
    await page.reload();
    await page.getByRole('heading', { name: 'Animals by description' }).waitFor();
    await page.getByTestId('credit').getByText('6,000 AIA').waitFor();
    await page.getByLabel('Amount (AIA)').fill('5000');
    await page.getByRole('button', { name: 'Fund' }).click();
    await page.getByTestId('fund-message').getByText('Added').waitFor();
    assert.match(await page.getByTestId('budget').textContent(), /5,000 AIA/);
    await shoot(page, '04-project-funded');
    await checkAccessibility(page, 'project');
  });

  step('three annotators sign up (two by referral link) and check in', ['requester signs up and creates a project with the form'], async () => {
    for (let i = 1; i <= 3; i++) {
      const a = await newPage(`annotator${i}`, PHONE);
      const { page } = a;
      await page.goto(i === 1 ? `${baseUrl}/signup` : `${baseUrl}/signup?ref=${encodeURIComponent(state.referral)}`);
      if (i > 1) assert.equal(await page.getByLabel('Referral code (optional)').inputValue(), state.referral);
      await page.getByLabel('Email').fill(`annotator${i}@example.com`);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByLabel('Display name (shown on leaderboards)').fill(`Annotator ${i}`);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL('**/annotate');
      await page.getByRole('button', { name: 'Daily check-in' }).click();
      const message = page.getByTestId('checkin-message');
      await message.waitFor();
      assert.match(await message.textContent(), /1-day streak/);
      await page.getByRole('button', { name: 'Checked in today ✓' }).waitFor();
      if (i === 1) {
        await shoot(page, '05-annotate-first-question');
        await checkAccessibility(page, 'annotate');
        await page.getByRole('link', { name: 'Profile' }).click();
        const link = await page.getByTestId('referral-link').inputValue();
        state.referral = new URL(link).searchParams.get('ref');
        assert.ok(state.referral, 'the profile shows a referral link with a code');
        await page.getByRole('link', { name: 'Answer' }).click();
        await page.waitForURL('**/annotate');
      }
      // Remember every Idempotency-Key per assignment, to prove retries reuse the key.
      page.on('request', (request) => {
        const m = request.url().match(/assignments\/(\d+)\/answer/);
        if (m && request.method() === 'POST') {
          const keys = state.keysByAssignment.get(m[1]) ?? [];
          keys.push(request.headers()['idempotency-key']);
          state.keysByAssignment.set(m[1], keys);
        }
      });
      state.annotators.push(a);
    }
  });

  /** The button of the right answer to the question on screen. */
  async function truthOf(page) {
    const text = (await page.locator('.task-text').textContent()).trim();
    const task = TASKS.find((t) => t.text === text);
    assert.ok(task, `unknown task text "${text}"`);
    return OPTIONS.findIndex((o) => o.value === task.truth);
  }

  /**
   * Answers the question on screen correctly and waits until it has left the screen (answer
   * delivered or refused). Returns the feedback text, or null when no task is available.
   */
  async function answerOne(page, { useKeyboard = false } = {}) {
    const question = page.getByTestId('question');
    const empty = page.getByTestId('no-task');
    await question.or(empty).first().waitFor({ timeout: 15_000 });
    if (await empty.isVisible()) return null;
    const assignment = await question.getAttribute('data-assignment');
    const option = await truthOf(page);
    if (useKeyboard) await page.keyboard.press(String(option + 1));
    else await page.getByRole('button', { name: OPTIONS[option].label, exact: true }).click();
    await page.locator(`[data-testid="question"][data-assignment="${assignment}"]`).waitFor({ state: 'detached', timeout: 20_000 });
    const feedback = page.getByTestId('feedback');
    await feedback.waitFor();
    return feedback.textContent();
  }

  step('annotators answer until every task retires; gold feedback is instant', ['three annotators sign up (two by referral link) and check in'], async () => {
    const [first, second, third] = state.annotators;
    let goldFeedback = 0;

    // Annotator 1 answers with taps; a gold answer shows "Correct!" at once.
    for (let n = 0, feedback; n < 20 && (feedback = await answerOne(first.page)) !== null; n++) {
      if (/Correct!/.test(feedback)) goldFeedback++;
      if (n === 0) await shoot(first.page, '06-annotate-feedback');
    }

    // Annotator 2: the network drops while answering; the answer waits on the device and is
    // sent once, with the same Idempotency-Key, when the connection returns.
    const p2 = second.page;
    const q2 = p2.getByTestId('question');
    await q2.waitFor();
    const offlineAssignment = await q2.getAttribute('data-assignment');
    allowNetworkErrors = true;
    await second.context.setOffline(true);
    await p2.getByRole('button', { name: OPTIONS[await truthOf(p2)].label, exact: true }).click();
    await p2.getByTestId('offline-banner').waitFor();
    const pending = await p2.evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('tinydata.pending_answers.'))
        .map((k) => JSON.parse(localStorage.getItem(k)).length),
    );
    assert.deepEqual(pending, [1], 'the unsent answer is kept in localStorage');
    await shoot(p2, '07-annotate-offline');
    await second.context.setOffline(false);
    await p2.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 20_000 });
    await p2.getByTestId('feedback').waitFor();
    assert.ok(state.keysByAssignment.has(offlineAssignment), 'the queued answer reached the server');

    // Then a response is lost after the server stored the answer: the retry must not count twice.
    let dropped = false;
    await p2.route('**/api/v1/assignments/*/answer', async (route) => {
      if (dropped) return route.continue();
      dropped = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    assert.notEqual(await answerOne(p2), null);
    assert.ok(dropped);
    allowNetworkErrors = false;
    await p2.unroute('**/api/v1/assignments/*/answer');
    while ((await answerOne(p2)) !== null);

    // Annotator 3 uses the keyboard shortcuts; one answer's lease is reported expired (409).
    const p3 = third.page;
    let expired = false;
    await p3.route('**/api/v1/assignments/*/answer', async (route) => {
      if (expired) return route.continue();
      expired = true;
      // The server keeps the answer; the client is told the lease ran out, as after a long stall.
      await route.fetch();
      await route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'failed_precondition', message: 'the lease on this assignment expired' } }) });
    });
    allowNetworkErrors = true;
    assert.match(await answerOne(p3, { useKeyboard: true }), /Time ran out/);
    allowNetworkErrors = false;
    await p3.unroute('**/api/v1/assignments/*/answer');
    for (let n = 0, feedback; n < 20 && (feedback = await answerOne(p3, { useKeyboard: true })) !== null; n++) {
      if (/Correct!/.test(feedback)) goldFeedback++;
    }

    // Everyone runs out of work: the 204 screen says so.
    for (const a of state.annotators) {
      for (let n = 0; n < 20 && (await answerOne(a.page)) !== null; n++);
      await a.page.getByTestId('no-task').waitFor();
    }
    await shoot(first.page, '08-annotate-no-task');
    assert.ok(goldFeedback >= 1, 'at least one gold question gave instant "Correct!" feedback');

    for (const [assignment, keys] of state.keysByAssignment) {
      assert.equal(new Set(keys).size, 1, `assignment ${assignment} was always sent with one Idempotency-Key`);
    }
  });

  step('requester sees completion, charts and consistent counts; pauses and resumes', ['annotators answer until every task retires; gold feedback is instant'], async () => {
    const { page } = requester;
    await page.reload();
    await page.getByText('100%').first().waitFor({ timeout: 20_000 });
    // The four data items retire; the two gold items stay in the gold pool.
    assert.equal(await page.getByTestId('tasks-retired').textContent(), '4');
    assert.match(await page.getByTestId('reviews').textContent(), /Nobody's answers are held/);
    // Every answer the browsers created counts exactly once, despite the offline retry, the lost
    // response and the reported lease expiry (6 tasks x 3 annotators when all see every task).
    const created = [...state.keysByAssignment.values()].reduce((n, keys) => n + new Set(keys).size, 0);
    assert.equal(Number(await page.getByTestId('answers-total').textContent()), created);
    assert.ok(created >= 18, `every task got its 3 answers (${created} answers)`);
    for (const chart of ['chart-labels', 'chart-answers-per-item', 'chart-accuracy', 'chart-confusion']) {
      assert.equal(await page.getByTestId(chart).locator('svg').count(), 1, `${chart} is drawn`);
    }
    await shoot(page, '09-project-progress');
    await checkAccessibility(page, 'project progress');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('project-status').getByText('paused').waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('project-status').getByText('active').waitFor();
  });

  step('requester downloads the export with consensus and pseudonymous answers', ['requester sees completion, charts and consistent counts; pauses and resumes'], async () => {
    const { page } = requester;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSONL' }).click()]);
    const file = path.join(tmp, 'export.jsonl');
    await download.saveAs(file);
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 6);
    for (const row of rows) {
      const task = TASKS.find((t) => t.text === row.data.text);
      assert.equal(row.consensus, task.truth, `consensus of "${task.text}"`);
      assert.equal(row.answers.length, 3);
      for (const a of row.answers) assert.match(a.annotator, /^a-[0-9a-f]{12}$/);
    }
    assert.ok(!readFileSync(file, 'utf8').includes('@example.com'), 'no email in the export');
  });

  step('annotator sees profile, leaderboard and verifies a ledger inclusion proof', ['annotators answer until every task retires; gold feedback is instant'], async () => {
    const { page } = state.annotators[0];
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByTestId('gold-accuracy').waitFor();
    await shoot(page, '10-profile');
    await checkAccessibility(page, 'profile');
    await page.getByRole('link', { name: 'Ranks' }).click();
    await page.getByTestId('leaderboard').waitFor();
    assert.ok((await page.getByTestId('leaderboard').textContent()).includes('Annotator'));
    await shoot(page, '11-leaderboard');
    await checkAccessibility(page, 'leaderboard');
    await page.getByRole('link', { name: 'Ledger' }).click();
    await page.getByTestId('checkpoint-checks').waitFor();
    assert.match(await page.getByTestId('checkpoint-checks').textContent(), /Ed25519 signature by “[^”]+” verified/);
    const size = Number((await page.getByTestId('tree-size').textContent()).replace(/,/g, ''));
    assert.ok(size > 0, 'the ledger has entries after rewards were settled');
    for (const index of [0, size - 1, Math.floor(size / 2)]) {
      await page.getByLabel('Entry index').fill(String(index));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByTestId('inclusion-result').getByText(`Entry ${index} is in the signed ledger`).waitFor();
    }
    await shoot(page, '12-ledger-verified');
    await checkAccessibility(page, 'ledger');
  });

  it('no page logged a console error', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
