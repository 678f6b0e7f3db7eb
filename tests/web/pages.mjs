// Drives Debian's Chromium (Playwright) over the pages people read: every page in every
// language at phone size (390×844) and desktop size, with axe-core at WCAG 2.1 AA, and
// the forms submitted with JavaScript off. Started by tests/tests/outside.rs, which
// starts the suite and hands over the plan as JSON (argv[2]); prints one JSON report.
//
// A page passes when: it answers 200; <html lang> is the language it was asked in (or,
// for a page that exists in fewer languages, the one it fell back to, which the server
// names in Content-Language); nothing is wider than the window; axe finds no violation;
// it has a main landmark, a link to the accessibility statement in its footer, and a
// skip link that is the first thing a keyboard reaches and leads to main; and, for a
// verdict page, the first heading read is the verdict, told in words and a symbol, not
// by colour alone.
//
// To look at a few pages while fixing one: ZEGEL_PAGES_ONLY=<part of a page's name> checks
// only the pages whose name holds it, and no form or journey (the test's count then fails).

import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const shots = plan.screenshots;
mkdirSync(shots, { recursive: true });

const sizes = [
  { name: "phone", width: 390, height: 844, mobile: true },
  { name: "desktop", width: 1280, height: 900, mobile: false },
];

const browser = await chromium.launch({
  executablePath: plan.chromium,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const faults = [];
let checked = 0;

function contextFor(size) {
  return browser.newContext({
    viewport: { width: size.width, height: size.height },
    isMobile: size.mobile,
    hasTouch: size.mobile,
    deviceScaleFactor: 1,
    // The pages forbid every script (Content-Security-Policy); axe is let in to read them.
    bypassCSP: true,
  });
}

async function checkPage(shared, page, lang, size) {
  const where = `${page.name} [${lang}, ${size.name}]`;
  // A page behind a login gets a context of its own with the session's cookie.
  const context = page.cookie ? await contextFor(size) : shared;
  if (page.cookie) await context.addCookies([{ ...page.cookie, url: page.url }]);
  const tab = await context.newPage();
  try {
    const url = `${page.url}${page.url.includes("?") ? "&" : "?"}lang=${lang}`;
    let answer = await tab.goto(url, { waitUntil: "load" });
    // A page that answers a form (a poster, a receipt, a check's answer): the form filled
    // in and sent, then the page it answers is the one checked.
    if (page.submit) {
      for (const [selector, value] of page.fill ?? []) await tab.fill(selector, value);
      const sent = tab.waitForNavigation({ waitUntil: "load", timeout: 15000 });
      [answer] = await Promise.all([sent, tab.click(page.submit)]);
    }
    if (answer.status() !== 200) {
      faults.push(`${where}: answered ${answer.status()}`);
      return;
    }
    const served = answer.headers()["content-language"];
    const expected = page.langs.includes(lang) ? lang : served;
    const facts = await tab.evaluate(() => {
      const doc = document.documentElement;
      const main = document.querySelector("main");
      const focusable = document.querySelector("a[href], button, input, select, textarea");
      const firstHeading = document.querySelector("h1, h2, h3");
      const verdict = document.querySelector(".verdict");
      return {
        lang: doc.getAttribute("lang"),
        // Against the layout viewport (the device's width): a phone zooms out to show a page
        // wider than itself, and then the window's own width has grown with the page.
        overflow: doc.scrollWidth - doc.clientWidth,
        wide: [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 1)
          .slice(0, 3)
          .map((e) => e.outerHTML.slice(0, 120)),
        main: !!main,
        mainId: main ? main.id : null,
        skip: focusable ? focusable.getAttribute("href") : null,
        verdictFirst: verdict ? verdict.contains(firstHeading) : null,
        verdictWords: verdict ? verdict.querySelector("h1")?.textContent.trim() : null,
        verdictSymbol: verdict ? verdict.querySelector(".icon")?.textContent.trim() : null,
        statement: [...document.querySelectorAll("footer a[href]")].some((a) =>
          a.getAttribute("href").startsWith("/accessibility?"),
        ),
      };
    });
    if (facts.lang !== expected) faults.push(`${where}: <html lang="${facts.lang}">, expected "${expected}"`);
    if (served && facts.lang !== served) faults.push(`${where}: lang "${facts.lang}" but Content-Language "${served}"`);
    if (facts.overflow > 0) faults.push(`${where}: ${facts.overflow}px wider than the window: ${facts.wide.join(" | ")}`);
    if (!facts.main) faults.push(`${where}: no <main> landmark`);
    if (!facts.statement) faults.push(`${where}: no link to the accessibility statement in the footer`);
    if (!facts.skip || facts.skip !== `#${facts.mainId}`) {
      faults.push(`${where}: the first link is ${facts.skip}, not a skip link to #${facts.mainId}`);
    }
    if (page.verdict) {
      if (facts.verdictFirst !== true) faults.push(`${where}: the verdict is not the first heading read`);
      if (!facts.verdictWords || !facts.verdictSymbol) faults.push(`${where}: the verdict is not told in words and a symbol`);
    }
    await tab.addScriptTag({ content: axeSource });
    const axe = await tab.evaluate(async () =>
      // biome-ignore lint: axe is injected above
      window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
    );
    for (const v of axe.violations) {
      const nodes = v.nodes.slice(0, 2).map((n) => n.target.join(" ")).join(", ");
      faults.push(`${where}: axe ${v.id} (${v.impact}): ${v.help} — ${nodes}`);
    }
    await tab.screenshot({ path: `${shots}/${page.name}-${lang}-${size.name}.png`, fullPage: true });
    checked += 1;
  } catch (e) {
    faults.push(`${where}: ${e.message.split("\n")[0]}`);
  } finally {
    await tab.close();
    if (page.cookie) await context.close();
  }
}

// A form filled in and sent the way a phone without JavaScript sends it: the browser's
// own submission, then the page it lands on.
async function submitForm(form) {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const tab = await context.newPage();
  const where = `form ${form.name}`;
  try {
    await tab.goto(form.url, { waitUntil: "load" });
    for (const [selector, value] of form.fill ?? []) await tab.fill(selector, value);
    for (const [selector, value] of form.select ?? []) await tab.selectOption(selector, value);
    for (const selector of form.check ?? []) await tab.check(selector);
    const answers = [];
    tab.on("response", (r) => {
      if (r.request().isNavigationRequest()) answers.push(`${r.status()} ${r.url()}`);
    });
    const failed = [];
    tab.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    await tab.click(form.submit);
    await tab.waitForURL((u) => u.href.includes(form.lands), { timeout: 10000 }).catch(() => {});
    await tab.waitForLoadState("load");
    const landed = tab.url();
    const body = await tab.textContent("body");
    const last = answers[answers.length - 1] ?? "";
    if (!last.startsWith("200 ")) faults.push(`${where}: the answers were ${answers.join(" → ")}; failed: ${failed.join(", ")}`);
    if (!landed.includes(form.lands)) faults.push(`${where}: landed on ${landed}, expected ${form.lands}`);
    if (form.shows && !body.includes(form.shows)) faults.push(`${where}: the page it lands on does not say "${form.shows}"`);
    await tab.screenshot({ path: `${shots}/form-${form.name}.png`, fullPage: true });
    checked += 1;
  } catch (e) {
    faults.push(`${where}: ${e.message.split("\n")[0]}`);
  } finally {
    await context.close();
  }
}

// A journey: a person's work from page to page with JavaScript off, step by step —
// {goto: url}, {fill: [selector, value]}, {select: [selector, value]}, {check: selector},
// {click: selector} (then the page it leads to), {expect: text on the page}. The first
// step that fails ends the journey with a fault.
async function journey(plan) {
  const [width, height] = plan.viewport ?? [390, 844];
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height } });
  const tab = await context.newPage();
  let step = 0;
  try {
    for (const s of plan.steps) {
      step += 1;
      if (s.goto) await tab.goto(s.goto, { waitUntil: "load" });
      if (s.fill) await tab.fill(s.fill[0], s.fill[1]);
      if (s.select) await tab.selectOption(s.select[0], s.select[1]);
      if (s.check) await tab.check(s.check);
      if (s.open) await tab.click(s.open);
      if (s.click) {
        await Promise.all([tab.waitForNavigation({ waitUntil: "load", timeout: 15000 }), tab.click(s.click)]);
      }
      if (s.expect) {
        const body = await tab.textContent("body");
        if (!body.includes(s.expect)) {
          faults.push(`journey ${plan.name}, step ${step}: "${s.expect}" not on ${tab.url()}`);
          await tab.screenshot({ path: `${shots}/journey-${plan.name}-failed.png`, fullPage: true });
          return;
        }
      }
    }
    await tab.screenshot({ path: `${shots}/journey-${plan.name}.png`, fullPage: true });
    checked += 1;
  } catch (e) {
    faults.push(`journey ${plan.name}, step ${step}: ${e.message.split("\n")[0]}`);
  } finally {
    await context.close();
  }
}

const only = process.env.ZEGEL_PAGES_ONLY;
for (const size of sizes) {
  const context = await contextFor(size);
  for (const page of plan.pages.filter((p) => !only || p.name.includes(only))) {
    for (const lang of page.only ?? plan.languages) await checkPage(context, page, lang, size);
  }
  await context.close();
}
if (!only) for (const form of plan.forms) await submitForm(form);
if (!only) for (const j of plan.journeys ?? []) await journey(j);

await browser.close();
console.log(JSON.stringify({ checked, faults }));
