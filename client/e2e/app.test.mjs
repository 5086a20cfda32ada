// The app end to end in a real browser: a real wmory (fresh data dir, console
// mailer) and Debian's chromium driven by playwright-core, with two people in two
// browser contexts. Screenshots of the main screens land in test-output/app/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import helpers from './wmory.cjs';

const { startWmory, startVersityGW, freePort } = helpers;
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const root = helpers.root;
const shots = path.join(root, 'test-output', 'app');
const photos = path.join(root, 'internal', 'imaging', 'testdata');
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

let wmory;
let base;
let browser;
let tmp;

function makeClip(file, pattern) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `${pattern}=duration=2:size=640x360:rate=25`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
}

/** An iPhone's kind of video: HEVC 10-bit HLG in QuickTime, turned 90° by its display matrix. */
function makeHEVCClip(file) {
  const flat = `${file}.flat.mov`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=15:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
    '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-x265-params', 'log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc',
    '-color_primaries', 'bt2020', '-color_trc', 'arib-std-b67', '-colorspace', 'bt2020nc', '-tag:v', 'hvc1', '-c:a', 'aac', flat]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', flat, '-map', '0', '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
  fs.rmSync(flat);
}

before(async () => {
  assert.ok(fs.existsSync(browserPath), `${browserPath} is missing: apt-get install chromium`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wmory-app-e2e-'));
  fs.mkdirSync(shots, { recursive: true });
  makeClip(path.join(tmp, 'beach.mp4'), 'testsrc');
  makeClip(path.join(tmp, 'dinner.mov'), 'smptebars');
  makeHEVCClip(path.join(tmp, 'IMG_0100.MOV'));
  wmory = await startWmory();
  base = wmory.url;
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  await wmory?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// Screens below the top of the navigation stack stay in the page, hidden: look
// only at what the person can see.
const seen = (locator) => locator.filter({ visible: true });
const label = (page, text, opts) => seen(page.getByLabel(text, opts));
const button = (page, name, opts) => seen(page.getByRole('button', { name, ...opts }));
const text = (page, t, opts) => seen(page.getByText(t, opts));

async function person(name, viewport, options = {}) {
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'], locale: 'en-US', ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && !/Failed to load resource/.test(msg.text()) && problems.push(`console: ${msg.text()}`));
  page.on('dialog', (d) => d.accept());
  const email = `${name.toLowerCase()}@example.org`;
  return { name, email, page, problems, password: `${name} has a long password` };
}

// Screenshots double as accessibility checkpoints: axe-core audits what is shown,
// and serious or critical findings (missing labels, contrast, roles) fail the test.
const audits = [];
async function shot(p, file) {
  await p.page.screenshot({ path: path.join(shots, file), fullPage: false });
  // Evaluated through the DevTools protocol, which the app's CSP rightly does not allow as a script tag.
  await p.page.evaluate(axeSource);
  const found = await p.page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    return res.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  audits.push(...found.map((f) => `${file}: ${f}`));
}

async function signUp(p) {
  const { page } = p;
  await label(page, 'Your name').fill(p.name);
  await label(page, 'E-mail').fill(p.email);
  await label(page, 'Password', { exact: true }).fill(p.password);
  await button(page, 'Create account').click();
  await text(page, 'Check your e-mail').first().waitFor();
  await text(page, p.email).waitFor();
}

/** Confirming signs the browser in: it goes on to where the sign-up began. */
async function confirmEmail(p, instance = wmory) {
  const { page } = p;
  await page.goto(await instance.mailedLink(p.email, 'verify-email'));
  await button(page, 'Confirm my e-mail address').click();
  await text(page, 'Your e-mail address is confirmed.').waitFor();
  await button(page, 'Continue').click();
}

/**
 * Picks files through the Upload button. A click that lands while the screen
 * is still settling may open no chooser: it is clicked again, up to three times.
 */
async function chooseFiles(page, files) {
  for (let attempt = 1; ; attempt++) {
    const chooser = page.waitForEvent('filechooser', { timeout: 10000 }).catch((err) => (attempt < 3 ? null : Promise.reject(err)));
    await button(page, 'Upload photos and videos').click();
    const c = await chooser;
    if (c) return c.setFiles(files);
  }
}

async function upload(p, files, { expect } = {}) {
  const { page } = p;
  const clear = button(page, 'Clear');
  if (await clear.count()) await clear.click();
  await chooseFiles(page, files);
  await text(page, expect ?? `${files.length} uploaded`, { exact: true }).waitFor({ timeout: 60000 });
}

/** Waits until the gallery shows `n` ready thumbnails (reloading it while others' uploads arrive). */
async function readyTiles(p, n, { reload = false } = {}) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const ready = await p.page.getByTestId('tile-ready').count();
    if (ready === n) return;
    if (Date.now() > deadline) assert.fail(`${p.name} sees ${ready} ready items, want ${n}`);
    if (reload) await button(p.page, 'Refresh').click();
    await p.page.waitForTimeout(500);
  }
}

test('two people share a group from sign-up to moderation', { timeout: 240000 }, async () => {
  const alice = await person('Alice', { width: 1280, height: 860 });
  // Phone-sized, and in another time zone than the cameras.
  const bob = await person('Bob', { width: 390, height: 844 }, { timezoneId: 'America/New_York' });
  try {
    await shareAndModerate(alice, bob);
  } catch (err) {
    await shot(alice, 'failed-alice.png').catch(() => undefined);
    await shot(bob, 'failed-bob.png').catch(() => undefined);
    fs.writeFileSync(path.join(shots, 'failed-wmory.log'), wmory.output());
    err.message += `\nin Alice's page: ${alice.problems.join('\n')}\nin Bob's page: ${bob.problems.join('\n')}`;
    throw err;
  }
});

async function shareAndModerate(alice, bob) {

  // Alice signs up, confirms her address from the e-mail and signs in.
  await alice.page.goto(`${base}/`);
  // A first visit is offered an account, not a "welcome back".
  await alice.page.getByRole('heading', { name: 'Create your account' }).waitFor();
  assert.equal(await seen(alice.page.getByRole('link', { name: 'Your groups' })).count(), 0, 'signed out, the sign-up page is the start: no way "home" to groups');
  await shot(alice, '01-first-visit.png');
  await signUp(alice);
  // The link can be sent again from there; the newest is the one that works.
  await button(alice.page, 'Send the link again').click();
  await text(alice.page, /We sent a new link to/).waitFor();
  const verifyMails = () => wmory.output().split('----- e-mail (console mailer) -----').filter((m) => m.includes(`To: ${alice.email}`) && m.includes('/verify-email?token=')).length;
  for (const deadline = Date.now() + 15000; verifyMails() < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  assert.equal(verifyMails(), 2, 'a second confirmation e-mail');
  await shot(alice, '02-check-email.png');
  await confirmEmail(alice);
  await alice.page.getByRole('heading', { name: 'Your groups' }).waitFor();

  // She creates a group and an invite link.
  await label(alice.page, 'New group').fill('Lisbon 2026');
  await button(alice.page, 'Create group').click();
  await text(alice.page, 'Nothing here yet').waitFor();
  const gid = alice.page.url().split('/groups/')[1];
  assert.ok(gid, 'Alice lands in the new group');
  await alice.page.getByRole('link', { name: 'Members' }).click();
  await button(alice.page, 'Create invite link').click();
  const inviteUrl = (await alice.page.getByTestId('invite-url').first().textContent()).trim();
  assert.match(inviteUrl, /\/invite\/[A-Za-z0-9_-]{20,}$/);
  await shot(alice, '03-members-and-invites.png');
  // After a reload there is nothing to go back to: the page still has a way home.
  await alice.page.reload();
  await alice.page.getByRole('link', { name: 'Gallery' }).click();
  await alice.page.waitForURL(`**/groups/${gid}`);
  await alice.page.reload();
  await alice.page.getByRole('link', { name: 'Your groups' }).click();
  await alice.page.getByRole('link', { name: 'Lisbon 2026' }).waitFor();

  // A link that does not work says so before anyone signs up for it.
  await bob.page.goto(inviteUrl.replace(/[^/]+$/, 'no-such-invitation-code-at-all'));
  await bob.page.getByRole('heading', { name: 'This invitation has ended' }).waitFor();
  await text(bob.page, /This invite link is no longer valid/).waitFor();
  assert.equal(await button(bob.page, 'Create an account').count(), 0, 'a dead link offers no sign-up');

  // Bob opens the link, sees who invited him where, signs up, confirms, signs in
  // and lands back on the invitation.
  await bob.page.goto(inviteUrl);
  await bob.page.getByRole('heading', { name: "You're invited to Lisbon 2026" }).waitFor();
  await text(bob.page, /Alice invited you to/).waitFor();
  await button(bob.page, 'Create an account').click();
  await signUp(bob);
  await confirmEmail(bob);
  await button(bob.page, 'Join Lisbon 2026').waitFor();
  await text(bob.page, 'Alice invited you').waitFor();
  await shot(bob, '04-invite-preview.png');
  await button(bob.page, 'Join Lisbon 2026').click();
  await bob.page.waitForURL(`**/groups/${gid}`);

  // Both upload real photos and a video; each sees the other's thumbnails.
  await alice.page.goto(`${base}/groups/${gid}`);
  await upload(alice, [path.join(photos, 'camera.jpg'), path.join(photos, 'iphone7-gps.heic'), path.join(tmp, 'beach.mp4')]);
  await readyTiles(alice, 3);
  await shot(alice, '05-gallery-after-upload.png');
  await text(alice.page, '3 added', { exact: true }).waitFor();
  await upload(bob, [path.join(photos, 'phone-orientation-6.webp'), path.join(tmp, 'dinner.mov')]);
  await readyTiles(bob, 5, { reload: true });
  await shot(bob, '06-gallery-phone.png');
  // What Bob added is new for Alice, in her list of groups, until she looks.
  await alice.page.goto(`${base}/`);
  await text(alice.page, '2 new', { exact: true }).waitFor();
  await shot(alice, '06b-groups-new.png');
  await alice.page.goto(`${base}/groups/${gid}`);
  await readyTiles(alice, 5, { reload: true });
  await shot(alice, '07-gallery-both.png');

  // A file that is not a photo or a video is refused with the reason, and can be cleared.
  const notes = path.join(tmp, 'notes.txt');
  fs.writeFileSync(notes, 'not a photo');
  await upload(alice, [notes], { expect: '0 uploaded · 1 failed' });
  await text(alice.page, 'This kind of file cannot be shared here (photos and videos only).').waitFor();
  assert.equal(await button(alice.page, 'Retry notes.txt').count(), 0, 'a refused type offers no retry');

  // Uploading the same photo again is recognised, nothing is sent twice, and the
  // count says so instead of calling it uploaded.
  await upload(alice, [path.join(photos, 'camera.jpg')], { expect: '0 uploaded · 1 already here' });
  await text(alice.page, 'Already in this group.').waitFor();
  await readyTiles(alice, 5);

  // Alice plays Bob's video in the viewer, and zooms into a photo.
  await alice.page.getByRole('link', { name: 'Video by Bob' }).click();
  const video = alice.page.locator('video');
  await video.waitFor();
  await alice.page.waitForFunction(() => document.querySelector('video')?.readyState >= 1, null, { timeout: 15000 });
  assert.ok((await video.evaluate((v) => v.duration)) > 1.5, 'the video loads with its duration');
  await alice.page.keyboard.press('Escape');
  await alice.page.getByRole('link', { name: 'Photo by Bob' }).click();
  const counter = text(alice.page, /^\d \/ 5$/);
  const at = Number((await counter.textContent()).split(' ')[0]);
  await button(alice.page, 'Zoom in').click();
  await button(alice.page, 'Zoom out').waitFor();
  await button(alice.page, 'Zoom out').click();
  // A trackpad pinch (ctrl + wheel) zooms too; the arrow keys go from item to item.
  await alice.page.mouse.move(640, 430);
  await alice.page.keyboard.down('Control');
  await alice.page.mouse.wheel(0, -120);
  await alice.page.keyboard.up('Control');
  await alice.page.waitForFunction(() => !document.querySelector('[aria-label="Zoom out"]')?.hasAttribute('aria-disabled') || document.querySelector('[aria-label="Zoom out"]')?.getAttribute('aria-disabled') === 'false');
  // It zoomed around the pointer (the middle of the window), not into the
  // top-left corner: the view has scrolled to keep that point in place.
  await alice.page.waitForFunction(() => Array.from(document.querySelectorAll('div')).some((d) => d.scrollLeft > 300 && d.scrollTop > 100));
  await button(alice.page, 'Zoom out').click();
  const step = at < 5 ? 1 : -1;
  const opened = alice.page.url();
  await alice.page.keyboard.press(step > 0 ? 'ArrowRight' : 'ArrowLeft');
  await text(alice.page, `${at + step} / 5`, { exact: true }).waitFor();
  // The address follows the item shown: a reload opens that one again.
  await alice.page.waitForURL((u) => u.href !== opened && /\/media\/[^/]+$/.test(u.pathname));
  const shown = (await seen(alice.page.getByTestId('viewer-summary')).textContent()).trim();
  await alice.page.reload();
  await alice.page.waitForFunction((s) => document.querySelector('[data-testid="viewer-summary"]')?.textContent.trim() === s, shown);
  await alice.page.goto(`${base}/groups/${gid}`);
  await readyTiles(alice, 5);
  await alice.page.getByRole('link', { name: 'Photo by Bob' }).click();
  await text(alice.page, `${at} / 5`, { exact: true }).waitFor();
  await alice.page.keyboard.press(step > 0 ? 'ArrowRight' : 'ArrowLeft');
  await text(alice.page, `${at + step} / 5`, { exact: true }).waitFor();
  await alice.page.keyboard.press(step > 0 ? 'ArrowLeft' : 'ArrowRight');
  await text(alice.page, `${at} / 5`, { exact: true }).waitFor();
  await alice.page.keyboard.press('Escape');
  await readyTiles(alice, 5);

  // The grid is headed by the days the photos were taken, on the camera's
  // calendar (camera.jpg: 17 April 2021), and shows who added what.
  await seen(alice.page.getByRole('heading', { name: /April 17, 2021/ })).waitFor();
  // Only Bob's: the filter keeps to the address, and the viewer swipes along his alone.
  const bobs = await alice.page.getByRole('link', { name: / by Bob/ }).count();
  assert.ok(bobs > 0 && bobs < 5, `Bob added ${bobs} of the 5 items`);
  await alice.page.getByRole('radio', { name: 'Bob' }).click();
  await alice.page.waitForURL((u) => u.searchParams.has('by'));
  await alice.page.waitForFunction((n) => document.querySelectorAll('[data-testid="tile-ready"]').length === n, bobs);
  assert.equal(await alice.page.getByRole('link', { name: / by Alice/ }).count(), 0, 'none of Alice\'s items among Bob\'s');
  await alice.page.getByRole('link', { name: / by Bob/ }).first().click();
  await text(alice.page, `1 / ${bobs}`, { exact: true }).waitFor();
  await alice.page.keyboard.press('Escape');
  await alice.page.getByRole('radio', { name: 'Everyone' }).click();
  await readyTiles(alice, 5);
  // A jump to a month shows the gallery from that month on (older items
  // below), and Newest comes back to the top.
  await alice.page.getByRole('radio', { name: /^Apr 2021/ }).click();
  await alice.page.waitForURL((u) => u.searchParams.get('until') === '2021-05-01T00:00:00Z');
  await seen(alice.page.getByRole('heading', { name: /April 17, 2021/ })).waitFor();
  await alice.page.waitForFunction(() => document.querySelectorAll('[data-testid="tile-ready"]').length < 5);
  assert.equal(await seen(alice.page.getByRole('heading', { name: /December/ })).count(), 0, 'nothing newer than April 2021');
  await alice.page.getByRole('radio', { name: 'Newest' }).click();
  await readyTiles(alice, 5);
  // The count above the grid is the tiles'.
  await text(alice.page, '5 items · 2 members', { exact: true }).waitFor();
  await shot(alice, '07c-gallery-by-day.png');

  // Alice likes one of Bob's photos and comments on it (shown as typed, not
  // as markup); Bob sees both on the grid, and the comment in what's new.
  await alice.page.getByRole('link', { name: 'Photo by Bob' }).first().click();
  await button(alice.page, '♡ Like', { exact: true }).click();
  await button(alice.page, '♥ Liked · 1', { exact: true }).waitFor();
  await button(alice.page, 'Comments', { exact: true }).click();
  await label(alice.page, 'Add a comment').fill('<b>Golden</b> light');
  await button(alice.page, 'Send').click();
  await text(alice.page, '<b>Golden</b> light', { exact: true }).waitFor();
  await shot(alice, '07d-comments.png');
  await button(alice.page, 'Close the comments').click();
  await alice.page.keyboard.press('Escape');
  await readyTiles(alice, 5);
  // What she likes, on its own: the choice stays in the address.
  await alice.page.getByRole('radio', { name: '♥ Liked' }).click();
  await alice.page.waitForURL((u) => u.searchParams.get('liked') === 'true');
  await readyTiles(alice, 1);
  await alice.page.getByRole('link', { name: /Photo by Bob.*1 like, 1 comment/ }).waitFor();
  await alice.page.getByRole('radio', { name: 'Everything' }).click();
  await readyTiles(alice, 5);
  await bob.page.goto(`${base}/groups/${gid}`);
  await bob.page.getByRole('link', { name: /Photo by Bob.*1 like, 1 comment/ }).waitFor();
  await seen(bob.page.getByRole('link', { name: "What's new" })).click();
  await text(bob.page, 'Alice commented').waitFor();
  await text(bob.page, 'Bob added 2 items').waitFor();
  await shot(bob, '07e-whats-new.png');
  // Bob would rather have one e-mail a day about the group; the choice stays.
  await seen(bob.page.getByRole('radio', { name: 'When something is added' })).and(bob.page.locator('[aria-checked="true"]')).waitFor();
  await seen(bob.page.getByRole('radio', { name: 'Once a day' })).click();
  await text(bob.page, 'Saved.', { exact: true }).waitFor();
  await bob.page.reload();
  await seen(bob.page.getByRole('radio', { name: 'Once a day' })).and(bob.page.locator('[aria-checked="true"]')).waitFor();
  await seen(bob.page.getByTestId('email-settings')).scrollIntoViewIfNeeded();
  await shot(bob, '07f-email-settings.png');
  await bob.page.goto(`${base}/groups/${gid}`);
  await readyTiles(bob, 5);

  // Bob opens one of Alice's photos and reports it.
  const tile = bob.page.getByRole('link', { name: 'Photo by Alice' }).first();
  const href = await tile.getAttribute('href');
  const mid = href.split('/media/')[1];
  await tile.click();
  await button(bob.page, 'Report').waitFor();
  await text(bob.page, 'Alice', { exact: true }).waitFor();
  // camera.jpg was taken at 17:12 on the camera's clock: Bob in New York sees
  // 5:12 PM, not the hours shifted to his zone.
  await text(bob.page, /Apr 17, 2021,? 5:12\sPM/).waitFor();
  await shot(bob, '08-viewer.png');
  await button(bob.page, 'Report').click();
  await bob.page.getByRole('radio', { name: "I'm in this photo and don't want it shared" }).click();
  await label(bob.page, 'Details (optional)').fill('Not from our trip');
  await shot(bob, '09-report.png');
  await button(bob.page, 'Send report').click();
  await text(bob.page, "Thanks. The group's admins will look at it.").waitFor();

  // Alice sees the report and removes the photo.
  await alice.page.getByRole('link', { name: 'Reports' }).click();
  await text(alice.page, '“Not from our trip”').waitFor();
  await text(alice.page, /I'm in this photo and don't want it shared/).waitFor();
  await shot(alice, '10-reports.png');
  await button(alice.page, 'Remove item').click();
  await text(alice.page, 'No open reports').waitFor();

  // It is gone for both.
  for (const p of [alice, bob]) {
    await p.page.goto(`${base}/groups/${gid}`);
    await readyTiles(p, 4);
    assert.equal(await p.page.locator(`a[href$="/media/${mid}"]`).count(), 0, `${p.name} still sees the removed photo`);
  }

  // The connection drops while Alice uploads: the files wait instead of
  // failing, and go on by themselves when it is back.
  await alice.page.context().setOffline(true);
  await chooseFiles(alice.page, [path.join(photos, 'alpha.png'), path.join(photos, 'animated.gif')]);
  await text(alice.page, /^Connection lost\./).waitFor();
  await shot(alice, '11-upload-offline.png');
  assert.equal(await text(alice.page, /failed/).count(), 0, 'nothing is marked failed while offline');
  await alice.page.context().setOffline(false);
  await text(alice.page, '2 uploaded', { exact: true }).waitFor({ timeout: 60000 });
  assert.equal(await text(alice.page, /^Connection lost\./).count(), 0, 'the notice goes once the uploads went on');
  await readyTiles(alice, 6);
  // Her own uploads do not vanish into the grid: the gallery says how many
  // were added and shows exactly those.
  await text(alice.page, '2 added', { exact: true }).waitFor();
  await button(alice.page, 'Show them').click();
  await text(alice.page, 'Showing the 2 you just added').waitFor();
  assert.equal(await seen(alice.page.locator('a[href*="/media/"]')).count(), 2, 'only the added items are shown');
  await button(alice.page, 'Show everything').click();
  await readyTiles(alice, 6);

  // The animated GIF plays in the viewer: it is shown from its original, not
  // from the still preview (one of the two newest items is that GIF).
  await alice.page.getByRole('link', { name: 'Photo by Alice' }).first().click();
  await text(alice.page, '1 / 6', { exact: true }).waitFor();
  const showsGIF = () => alice.page.waitForFunction(() => Array.from(document.images).some((i) => i.src.includes('ct=image%2Fgif')), null, { timeout: 3000 }).then(() => true, () => false);
  let gif = await showsGIF();
  await alice.page.keyboard.press('ArrowRight');
  await text(alice.page, '2 / 6', { exact: true }).waitFor();
  gif = (await showsGIF()) || gif;
  assert.ok(gif, 'the GIF is shown from its original');
  await alice.page.keyboard.press('ArrowLeft');
  await text(alice.page, '1 / 6', { exact: true }).waitFor();

  // Deleting in the viewer moves on to the next item, with its counter and arrows.
  const deleted = alice.page.url();
  await button(alice.page, 'Delete').click();
  await text(alice.page, '1 / 5', { exact: true }).waitFor();
  assert.equal(await text(alice.page, /not found/i).count(), 0, 'the viewer shows the next item, not an error');
  await alice.page.waitForURL((u) => u.href !== deleted);
  await button(alice.page, 'Next').waitFor();
  await alice.page.keyboard.press('Escape');
  await readyTiles(alice, 5);
  // It waits in the trash, and comes back from there.
  await seen(alice.page.getByRole('link', { name: 'Trash' })).click();
  await seen(alice.page.getByTestId('trash-entry')).first().waitFor();
  assert.equal(await seen(alice.page.getByTestId('trash-entry')).count(), 1, 'one item in the trash');
  await shot(alice, '11b-trash.png');
  await seen(alice.page.getByRole('button', { name: /^Restore: / })).click();
  await text(alice.page, / is back in the gallery\.$/).waitFor();
  await text(alice.page, 'The trash is empty.').waitFor();
  await alice.page.goto(`${base}/groups/${gid}`);
  await readyTiles(alice, 6);

  // She selects a day of the trip and downloads it: one ZIP of its originals,
  // which unzip opens; then she keeps that day as an album.
  await button(alice.page, 'Select', { exact: true }).click();
  await button(alice.page, /^Select day: /).first().click();
  const picked = Number((await seen(alice.page.getByTestId('selected-count')).textContent()).split(' ')[0]);
  assert.ok(picked >= 2, `the day holds ${picked} items`);
  const [download] = await Promise.all([alice.page.waitForEvent('download'), button(alice.page, 'Download', { exact: true }).click()]);
  assert.match(download.suggestedFilename(), /^Lisbon 2026\.zip$/);
  const zipPath = await download.path();
  assert.match(execFileSync('unzip', ['-t', zipPath]).toString(), /No errors detected/);
  const names = execFileSync('unzip', ['-Z1', zipPath]).toString().trim().split('\n');
  assert.equal(names.length, picked, `the ZIP holds ${names.join(', ')}`);
  const days = new Set(names.map((n) => n.split('/').slice(0, 2).join('/')));
  assert.ok(days.size === 1 && /^Lisbon 2026\/\d{4}-\d{2}-\d{2}$/.test([...days][0]), `one day's folder: ${names.join(', ')}`);
  await button(alice.page, 'Add to album').click();
  await label(alice.page, 'New album').fill('The first evening');
  await button(alice.page, 'Make it and add').click();
  await text(alice.page, `Added to The first evening, which holds ${picked} items.`).waitFor();
  await shot(alice, '07g-select.png');
  await button(alice.page, 'Done').click();
  await seen(alice.page.getByRole('link', { name: 'Albums' })).click();
  await seen(alice.page.getByRole('link', { name: `The first evening, ${picked} items` })).click();
  await alice.page.waitForURL((u) => u.searchParams.has('album'));
  await text(alice.page, `An album of Lisbon 2026 · ${picked} items`).waitFor();
  await seen(alice.page.getByTestId('tile-ready')).nth(picked - 1).waitFor();
  assert.equal(await seen(alice.page.getByTestId('tile-ready')).count(), picked, 'the album shows its items only');
  await button(alice.page, 'Rename', { exact: true }).click();
  await label(alice.page, 'Album name').fill('Golden hour');
  await button(alice.page, 'Save name').click();
  await seen(alice.page.getByRole('heading', { name: 'Golden hour', exact: true })).waitFor();
  await shot(alice, '07h-album.png');
  await alice.page.goto(`${base}/groups/${gid}`);
  await readyTiles(alice, 6);

  // Account screen with the day's quota.
  await alice.page.goto(`${base}/account`);
  await text(alice.page, "Today's uploads").waitFor();
  await text(alice.page, /^You keep \d+(\.\d)? (KB|MB) in wmory, all your uploads together\.$/).waitFor();
  await text(alice.page, 'Chrome on Linux (this device)').waitFor(); // named, not a raw user-agent string
  await shot(alice, '12-account.png');
  // The list of groups shows each cover from the list itself, without asking
  // every gallery.
  const galleryCalls = [];
  const countGallery = (req) => /\/api\/v1\/groups\/[^/]+\/media/.test(req.url()) && galleryCalls.push(req.url());
  alice.page.on('request', countGallery);
  await alice.page.goto(`${base}/`);
  await alice.page.getByRole('link', { name: 'Lisbon 2026' }).waitFor();
  await alice.page.waitForFunction(() => Array.from(document.images).some((i) => i.src.includes('.thumb.webp') && i.complete && i.naturalWidth > 0));
  alice.page.off('request', countGallery);
  assert.deepEqual(galleryCalls, [], 'the list of groups asked galleries for covers');
  await shot(alice, '13-groups.png');

  // Alice removes Bob while his gallery is open: at his next step the group's
  // screens are left, once, with the reason, instead of an error over a gallery.
  await bob.page.goto(`${base}/groups/${gid}`);
  await readyTiles(bob, 6);
  await alice.page.goto(`${base}/groups/${gid}/members`);
  await button(alice.page, 'Remove Bob').click();
  await text(alice.page, 'Bob', { exact: true }).waitFor({ state: 'detached' });
  await bob.page.getByRole('link', { name: /^Photo by / }).first().click();
  await bob.page.getByRole('heading', { name: 'Your groups' }).waitFor();
  await text(bob.page, /You no longer have access to that group/).waitFor();
  assert.equal(await text(bob.page, /not found/i).count(), 0, `no "not found" for a group one has left: ${await text(bob.page, /not found/i).allTextContents()}`);
  assert.equal(await seen(bob.page.getByRole('link', { name: 'Lisbon 2026' })).count(), 0, 'the group is gone from his list');

  // Alice runs this wmory: made an instance admin from the command line, she
  // suspends Bob, whose session ends at once.
  wmory.cli('admin', 'promote', alice.email);
  await alice.page.goto(`${base}/account`);
  await alice.page.getByRole('link', { name: 'Administration of this wmory' }).click();
  await text(alice.page, bob.email).waitFor();
  await shot(alice, '14-administration.png');
  await button(alice.page, 'Suspend Bob').click();
  await text(alice.page, 'Bob is suspended.').waitFor();
  await bob.page.goto(`${base}/groups/${gid}`);
  await bob.page.getByRole('heading', { name: 'Welcome back' }).waitFor();

  assert.deepEqual(alice.problems, []);
  assert.deepEqual(bob.problems, []);
  assert.deepEqual(audits, [], 'accessibility findings');
}

// A friend's iPhone video is HEVC, which this browser cannot show: the viewer
// plays its rendition instead, upright, and it plays on.
test("an iPhone's HEVC video plays as its rendition", { timeout: 180000 }, async () => {
  const erin = await person('Erin', { width: 1280, height: 860 });
  const { page } = erin;
  try {
    await page.goto(`${base}/register`);
    await signUp(erin);
    await confirmEmail(erin);
    await label(page, 'New group').fill('Concert');
    await button(page, 'Create group').click();
    await text(page, 'Nothing here yet').waitFor();
    await upload(erin, [path.join(tmp, 'IMG_0100.MOV')]);
    await readyTiles(erin, 1);
    await page.getByRole('link', { name: /^Video by Erin/ }).click();
    await text(page, /· 0:03 ·/).waitFor();
    // The original first (its sound, no picture here), then the rendition
    // once made: the gallery looks again while it is pending.
    await page.waitForFunction(() => {
      const v = document.querySelector('video');
      return v && v.readyState >= 3 && v.videoWidth > 0;
    }, null, { timeout: 90000 });
    const shown = await page.evaluate(async () => {
      const v = document.querySelector('video');
      v.muted = true;
      await v.play();
      const from = v.currentTime;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return { w: v.videoWidth, h: v.videoHeight, from, to: v.currentTime };
    });
    assert.deepEqual([shown.w, shown.h], [720, 1280], 'the rendition is upright, 720 on its short side');
    assert.ok(shown.to > shown.from + 0.5, `it plays on: ${shown.from} → ${shown.to}`);
    await shot(erin, '16-video-rendition.png');
    // What it replaces: the original, which this browser cannot show.
    const mid = page.url().split('/').pop().split('?')[0];
    const original = await page.evaluate(async (id) => {
      const m = await (await fetch(`/api/v1/media/${id}`)).json();
      const v = document.createElement('video');
      v.muted = true;
      v.src = m.original_url;
      await new Promise((resolve) => {
        v.onerror = resolve;
        v.oncanplay = resolve;
        setTimeout(resolve, 10000);
      });
      return { w: v.videoWidth, error: v.error?.code ?? null, playable: v.canPlayType('video/mp4; codecs="hvc1.2.4.L123.B0"') };
    }, mid);
    assert.ok(original.w === 0 || original.error !== null, `the original HEVC shows a picture here: ${JSON.stringify(original)}`);
    assert.deepEqual(erin.problems, []);
  } catch (err) {
    await shot(erin, 'failed-video.png').catch(() => undefined);
    err.message += `\nin Erin's page: ${erin.problems.join('\n')}`;
    throw err;
  }
});

// A large video goes up in parts; the page reloaded midway offers the upload
// again, and picking the same file resumes it without sending again what
// arrived.
test('a large video resumes after the page is reloaded', { timeout: 240000 }, async () => {
  const big = path.join(tmp, 'MVI_2048.MP4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '2.5', '-vf', 'noise=alls=60:allf=t+u',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p', big]);
  const size = fs.statSync(big).size;
  assert.ok(size >= 100 * 1024 * 1024, `the video is ${size} bytes; want at least 100 MiB`);
  const gina = await person('Gina', { width: 1280, height: 860 });
  const { page } = gina;
  try {
    await page.goto(`${base}/register`);
    await signUp(gina);
    await confirmEmail(gina);
    await label(page, 'New group').fill('Wedding');
    await button(page, 'Create group').click();
    await text(page, 'Nothing here yet').waitFor();
    // A phone's uplink, slow enough to reload midway.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 16 * 1024 * 1024 });
    await chooseFiles(page, [big]);
    // Once the store holds a part, the page goes away.
    const partsDone = () =>
      page.evaluate(async () => {
        const [rec] = JSON.parse(localStorage.getItem('wmory.resumes') ?? '[]');
        if (!rec) return { done: 0, count: 0 };
        const p = await (await fetch(`/api/v1/uploads/${rec.uploadId}`)).json();
        return { done: p.parts_done.length, count: p.part_count };
      });
    let before = { done: 0, count: 0 };
    for (const deadline = Date.now() + 60000; before.done < 1; ) {
      assert.ok(Date.now() < deadline, 'no part arrived within a minute');
      await page.waitForTimeout(200);
      before = await partsDone();
    }
    assert.ok(before.done < before.count, `the whole file arrived before the reload: ${JSON.stringify(before)}`);
    await page.reload();
    await text(page, 'An upload was left unfinished').waitFor();
    await text(page, /MVI_2048\.MP4/).waitFor();
    await shot(gina, '17-unfinished-upload.png');
    let parts = 0;
    page.on('request', (r) => r.method() === 'PUT' && r.url().includes('/blob/') && parts++);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await chooseFiles(page, [big]);
    await text(page, '1 uploaded', { exact: true }).waitFor({ timeout: 120000 });
    assert.ok(parts <= before.count - before.done, `${parts} parts sent after the reload; ${before.count - before.done} were missing`);
    assert.equal(await text(page, 'An upload was left unfinished').count(), 0, 'the resumed upload is still offered');
    assert.equal(await page.evaluate(() => localStorage.getItem('wmory.resumes')), '[]');
    await readyTiles(gina, 1);
    assert.deepEqual(gina.problems, []);
  } catch (err) {
    await shot(gina, 'failed-resume.png').catch(() => undefined);
    err.message += `\nin Gina's page: ${gina.problems.join('\n')}`;
    throw err;
  }
});

test('deep links open the right screen and a bad token says so', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/reset-password?token=not-a-real-token`);
  await label(page, 'New password', { exact: true }).fill('a brand new password');
  await label(page, 'New password again').fill('a brand new password');
  await button(page, 'Set the new password').click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /invalid|expired|link/i);
  // The browser tab has wmory's icon.
  const icon = await fetch(`${base}/favicon.ico`);
  assert.equal(icon.status, 200, 'favicon');
  assert.ok((await icon.arrayBuffer()).byteLength > 100, 'the favicon is an image');
  await page.goto(`${base}/groups/whatever`);
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  await context.close();
});

// The production pairing: the browser sends the bytes straight to an S3 bucket on
// another origin (versitygw, with CORS for wmory's origin) and shows what the
// bucket serves through signed URLs; the signed checksum header travels too.
test('in S3 mode the browser uploads straight to the bucket', { timeout: 180000 }, async () => {
  const port = await freePort();
  const gw = await startVersityGW({ bucket: 'wmory', corsOrigin: `http://localhost:${port}` });
  const s3 = await startWmory({
    env: {
      WMORY_ADDR: `127.0.0.1:${port}`,
      AWS_BUCKET_NAME: 'wmory',
      AWS_ENDPOINT_URL_S3: gw.endpoint,
      WMORY_S3_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: gw.access,
      AWS_SECRET_ACCESS_KEY: gw.secret,
      AWS_REGION: 'us-east-1',
      WMORY_DAILY_FILES: '3',
    },
  });
  const carol = await person('Carol', { width: 1024, height: 768 });
  try {
    await carol.page.goto(`${s3.url}/register`);
    await signUp(carol);
    await confirmEmail(carol, s3);
    await label(carol.page, 'New group').fill('Bucket trip');
    await button(carol.page, 'Create group').click();
    await text(carol.page, 'Nothing here yet').waitFor();
    await upload(carol, [path.join(photos, 'camera.jpg'), path.join(photos, 'android-gps.mp4')]);
    await readyTiles(carol, 2);
    const fromBucket = await carol.page.evaluate(
      (endpoint) => Array.from(document.images).filter((i) => i.src.startsWith(endpoint) && i.complete && i.naturalWidth > 0).length,
      gw.endpoint,
    );
    assert.ok(fromBucket >= 2, `thumbnails shown from the bucket: ${fromBucket}`);
    await carol.page.getByRole('link', { name: 'Video by Carol' }).click();
    await carol.page.waitForFunction(() => document.querySelector('video')?.readyState >= 1, null, { timeout: 15000 });
    await carol.page.keyboard.press('Escape');
    await upload(carol, [path.join(photos, 'camera.jpg')], { expect: '0 uploaded · 1 already here' });
    await text(carol.page, 'Already in this group.').waitFor();
    // Three files a day here: the duplicate used none, so one more fits and the next is refused.
    await upload(carol, [path.join(photos, 'alpha.png'), path.join(photos, 'animated.gif')], { expect: '1 uploaded · 1 failed' });
    await text(carol.page, /^Your upload allowance for today is used up\. It resets /).waitFor();
    await shot(carol, '15-s3-gallery.png');
    assert.deepEqual(carol.problems, []);
  } catch (err) {
    await shot(carol, 'failed-s3.png').catch(() => undefined);
    fs.writeFileSync(path.join(shots, 'failed-s3-wmory.log'), s3.output() + '\n--- versitygw ---\n' + gw.output());
    err.message += `\nin Carol's page: ${carol.problems.join('\n')}`;
    throw err;
  } finally {
    await s3.stop();
    await gw.stop();
  }
});
