// The hirer check journey through clients generated from the suite's OpenAPI documents
// (openapi-typescript + openapi-fetch): a hirer checks an agency and keeps a receipt,
// verifies the receipt the way anyone would, and subscribes to the agency's changes.
// Compiled with tsc (strict) against the generated types, so a document that no longer
// matches what a client expects fails to compile; then run by tests/tests/outside.rs
// against the running suite. Prints one JSON line with what it saw.

import createClient from "openapi-fetch";
import type { paths as Lookup } from "./generated/lookup.js";
import type { paths as Notifier } from "./generated/notifier.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const lookup = createClient<Lookup>({ baseUrl: env("ZEGEL_LOOKUP") });
const notifier = createClient<Notifier>({
  baseUrl: env("ZEGEL_NOTIFIER"),
  headers: { Authorization: `Bearer ${env("ZEGEL_HIRER_TOKEN")}` },
});
const kvk = env("ZEGEL_KVK");

// 1. May I hire this agency? Keep a receipt.
const check = await lookup.POST("/api/v1/agencies/{kvk}/receipts", {
  params: { path: { kvk } },
});
if (!check.data) throw new Error(`check: ${check.response.status} ${JSON.stringify(check.error)}`);
const receipt = check.data.receipt?.seal;
if (!receipt) throw new Error("the check kept no receipt");

// 2. The receipt verifies, like any seal.
const verified = await lookup.GET("/api/v1/verify/{seal}", { params: { path: { seal: receipt } } });
if (!verified.data) throw new Error(`verify: ${verified.response.status}`);

// 3. Tell me when this agency's standing changes.
const subscribed = await notifier.POST("/api/v1/subscriptions", {
  body: { url: "https://hirer.example.nl/hooks/zegel", agencies: [kvk] },
});
if (!subscribed.data) throw new Error(`subscribe: ${subscribed.response.status} ${JSON.stringify(subscribed.error)}`);
const listed = await notifier.GET("/api/v1/subscriptions");
if (!listed.data) throw new Error(`subscriptions: ${listed.response.status}`);

console.log(
  JSON.stringify({
    may_hire: check.data.may_hire,
    api_version: check.response.headers.get("api-version"),
    verdict: verified.data.verdict,
    register: verified.data.register,
    subscription: subscribed.data.subscription_id,
    subscriptions: listed.data.subscriptions.length,
  }),
);
